package manual

import (
	"errors"
	"fmt"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// Each error type names one way an operation can end without doing what
// was asked. In every case nothing was changed. In the Lambda form the type
// name becomes the invocation's errorType, so it reads in the response.

// RefusedError is a move refused for a reason that --force overrides: the
// target's health check fails right now, or the record is in a state that
// automation would not touch.
type RefusedError struct {
	Action string     // standby, primary or auto
	To     state.Side // the side it would have moved to
	Target string
	Why    string
}

func (e *RefusedError) Error() string {
	if e.Action == "auto" {
		return fmt.Sprintf("refused to hand %s back to automation: %s; nothing changed", e.Target, e.Why)
	}
	return fmt.Sprintf("refused to move traffic to the %s (%s): %s; nothing changed (force it to move anyway)", e.To, e.Target, e.Why)
}

// DeclinedError is a move the operator did not confirm.
type DeclinedError struct {
	Why string
}

func (e *DeclinedError) Error() string { return "not confirmed: " + e.Why + "; nothing changed" }

// InputError is a request that cannot be carried out as given: an unknown
// action, a bad payload or flag.
type InputError struct {
	Msg string
}

func (e *InputError) Error() string { return e.Msg }

// DNSError is a read or write of the DNS provider that failed in a way
// that may pass (rate limit, server error, no answer after the provider's
// retries), or a write that lost a race with another writer. A failed
// write leaves the record and its state as they were (dns.Provider's
// contract), so trying again later is safe.
type DNSError struct {
	Op  string
	Err error
}

func (e *DNSError) Error() string { return fmt.Sprintf("DNS: %s: %v", e.Op, e.Err) }
func (e *DNSError) Unwrap() error { return e.Err }

// DNSRejectedError is a request the DNS provider refused for good: a wrong
// token, zone or record name. It is a configuration problem; retrying the
// same request cannot help.
type DNSRejectedError struct {
	Op  string
	Err error
}

func (e *DNSRejectedError) Error() string {
	return fmt.Sprintf("DNS provider rejected the request to %s (check the token, zone id and record name): %v", e.Op, e.Err)
}
func (e *DNSRejectedError) Unwrap() error { return e.Err }

// dnsError classes err from op as *DNSRejectedError or *DNSError.
func dnsError(op string, err error) error {
	if errors.Is(err, dns.ErrPermanent) {
		return &DNSRejectedError{Op: op, Err: err}
	}
	return &DNSError{Op: op, Err: err}
}
