package rfc2136

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/miekg/dns"

	sydns "github.com/switchyard-dns/switchyard/dnsfailover/dns"
)

// netError is an exchange that got no answer (refused, reset, timed out).
// An UPDATE that got none may still have been applied.
type netError struct{ err error }

func (e *netError) Error() string { return e.err.Error() }
func (e *netError) Unwrap() error { return e.err }

// serverError is an answer whose RCODE says the server could not do it
// now (SERVFAIL): worth another try.
type serverError struct{ msg string }

func (e *serverError) Error() string { return e.msg }

// rcodeError says what an answer's RCODE means for switchyard. Every RCODE
// but SERVFAIL is permanent: retrying the same message gets the same answer.
// The prerequisite RCODEs are not handled here but in Write (ErrStale).
func rcodeError(r *dns.Msg, p *Provider) error {
	zone, key := strings.TrimSuffix(p.zone, "."), strings.TrimSuffix(p.keyName, ".")
	name := dns.RcodeToString[r.Rcode]
	switch r.Rcode {
	case dns.RcodeServerFailure:
		return &serverError{msg: fmt.Sprintf("%s answered SERVFAIL", p.server)}
	case dns.RcodeNotAuth:
		// RFC 2136 §2.2 and RFC 8945 §5.3: the server is not authoritative
		// for the zone, or (Knot) the key may not update it.
		return fmt.Errorf("%s answered NOTAUTH: it is not authoritative for zone %s, or key %s may not update it: %w",
			p.server, zone, key, sydns.ErrPermanent)
	case dns.RcodeRefused:
		return fmt.Errorf("%s answered REFUSED: its policy does not let key %s change %s (BIND: update-policy; Knot: an acl with action update): %w",
			p.server, key, p.name, sydns.ErrPermanent)
	case dns.RcodeNotZone:
		return fmt.Errorf("%s answered NOTZONE: %s is not in zone %s as the server sees it: %w",
			p.server, p.name, zone, sydns.ErrPermanent)
	case dns.RcodeNotImplemented:
		return fmt.Errorf("%s answered NOTIMP: it does not accept dynamic updates (RFC 2136): %w", p.server, sydns.ErrPermanent)
	}
	if name == "" {
		name = fmt.Sprintf("RCODE %d", r.Rcode)
	}
	return fmt.Errorf("%s answered %s: %w", p.server, name, sydns.ErrPermanent)
}

// tsigError explains a TSIG error the server put in its answer.
func tsigError(code uint16, p *Provider) error {
	key := strings.TrimSuffix(p.keyName, ".")
	switch code {
	case dns.RcodeBadSig:
		return fmt.Errorf("%s answered BADSIG: the secret of key %s does not match the server's: %w", p.server, key, sydns.ErrPermanent)
	case dns.RcodeBadKey:
		return fmt.Errorf("%s answered BADKEY: it knows no key %s with that algorithm: %w", p.server, key, sydns.ErrPermanent)
	case dns.RcodeBadTime:
		return fmt.Errorf("%s answered BADTIME: this machine's clock and the server's differ by more than 5 minutes: %w", p.server, sydns.ErrPermanent)
	}
	return fmt.Errorf("%s answered TSIG error %d for key %s: %w", p.server, code, key, sydns.ErrPermanent)
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

// Backoff between attempts: 250ms, 500ms, 1s, ... up to maxBackoff, each
// with up to half taken off at random so vantage points spread out.
const (
	baseBackoff = 250 * time.Millisecond
	maxBackoff  = 4 * time.Second
)

func backoff(base time.Duration, attempt int) time.Duration {
	d := base
	for range attempt {
		d *= 2
		if d >= maxBackoff {
			return maxBackoff
		}
	}
	return d
}

// transient reports whether err may pass on another attempt.
func transient(err error) bool {
	var ne *netError
	var se *serverError
	return errors.As(err, &ne) || errors.As(err, &se)
}

// wait says whether to try again after the attempt numbered attempt (from
// 0) failed with err, and sleeps the backoff if so.
func (p *Provider) wait(ctx context.Context, op string, err error, attempt int) bool {
	if attempt >= p.maxRetries || !transient(err) {
		return false
	}
	d := backoff(p.backoff, attempt)
	d -= rand.N(d/2 + 1)
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return false
	}
	p.log.Warn("rfc2136: retrying", slog.String("op", op), slog.String("error", err.Error()),
		slog.Int("attempt", attempt+1), slog.Duration("wait", d))
	return p.sleep(ctx, d) == nil
}

// retry runs fn, an idempotent exchange, until it succeeds, fails for good
// or has been retried maxRetries times.
func (p *Provider) retry(ctx context.Context, op string, fn func() error) error {
	for attempt := 0; ; attempt++ {
		err := fn()
		if err == nil {
			return nil
		}
		if !p.wait(ctx, op, err, attempt) {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
