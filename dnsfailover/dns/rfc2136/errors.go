package rfc2136

import (
	"context"
	"fmt"
	"strings"

	"github.com/miekg/dns"

	sydns "github.com/switchyard-dns/switchyard/dnsfailover/dns"
)

// netError is an exchange that got no answer (refused, reset, timed out).
// An UPDATE that got none may still have been applied.
type netError struct{ err error }

func (e *netError) Error() string   { return e.err.Error() }
func (e *netError) Unwrap() []error { return []error{e.err, sydns.ErrTransient} }

// netError wraps err, unless it is the caller's context ending (which is
// not retried).
func (z *zone) netError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &netError{err: fmt.Errorf("%s: %w", z.server, err)}
}

// rcodeError says what an answer's RCODE means for switchyard. Every RCODE
// but SERVFAIL is permanent: the same message gets the same answer. The
// prerequisite RCODEs are handled in Apply (dns.ErrConflict).
func (z *zone) rcodeError(r *dns.Msg) error {
	zone, key := strings.TrimSuffix(z.zone, "."), strings.TrimSuffix(z.keyName, ".")
	name := strings.TrimSuffix(z.record, ".")
	switch r.Rcode {
	case dns.RcodeServerFailure:
		return fmt.Errorf("%s answered SERVFAIL: %w", z.server, sydns.ErrTransient)
	case dns.RcodeNotAuth:
		// RFC 2136 §2.2 and RFC 8945 §5.3: the server is not authoritative
		// for the zone, or (Knot) the key may not update it.
		return fmt.Errorf("%s answered NOTAUTH: it is not authoritative for zone %s, or key %s may not update it: %w",
			z.server, zone, key, sydns.ErrPermanent)
	case dns.RcodeRefused:
		return fmt.Errorf("%s answered REFUSED: its policy does not let key %s change %s (BIND: update-policy; Knot: an acl with action update): %w",
			z.server, key, name, sydns.ErrPermanent)
	case dns.RcodeNotZone:
		return fmt.Errorf("%s answered NOTZONE: %s is not in zone %s as the server sees it: %w",
			z.server, name, zone, sydns.ErrPermanent)
	case dns.RcodeNotImplemented:
		return fmt.Errorf("%s answered NOTIMP: it does not accept dynamic updates (RFC 2136): %w", z.server, sydns.ErrPermanent)
	}
	rc := dns.RcodeToString[r.Rcode]
	if rc == "" {
		rc = fmt.Sprintf("RCODE %d", r.Rcode)
	}
	return fmt.Errorf("%s answered %s: %w", z.server, rc, sydns.ErrPermanent)
}

// tsigError explains a TSIG error the server put in its answer.
func (z *zone) tsigError(code uint16) error {
	key := strings.TrimSuffix(z.keyName, ".")
	switch code {
	case dns.RcodeBadSig:
		return fmt.Errorf("%s answered BADSIG: the secret of key %s does not match the server's: %w", z.server, key, sydns.ErrPermanent)
	case dns.RcodeBadKey:
		return fmt.Errorf("%s answered BADKEY: it knows no key %s with that algorithm: %w", z.server, key, sydns.ErrPermanent)
	case dns.RcodeBadTime:
		return fmt.Errorf("%s answered BADTIME: this machine's clock and the server's differ by more than 5 minutes: %w", z.server, sydns.ErrPermanent)
	}
	return fmt.Errorf("%s answered TSIG error %d for key %s: %w", z.server, code, key, sydns.ErrPermanent)
}

// prerequisiteFailed reports whether rcode is a failed RFC 2136
// prerequisite (§2.4, §3.2.5): what was read is no longer there.
func prerequisiteFailed(rcode int) bool {
	switch rcode {
	case dns.RcodeNXRrset, dns.RcodeYXRrset, dns.RcodeNameError, dns.RcodeYXDomain:
		return true
	}
	return false
}
