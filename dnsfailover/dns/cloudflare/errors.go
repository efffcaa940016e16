package cloudflare

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	cfdns "github.com/cloudflare/cloudflare-go/v6/dns"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
)

// errorDetail is one entry of Cloudflare's "errors" list.
type errorDetail struct {
	Code    int           `json:"code"`
	Message string        `json:"message"`
	Chain   []errorDetail `json:"error_chain"`
}

func (d errorDetail) String() string {
	s := fmt.Sprintf("%d %s", d.Code, d.Message)
	var chain []string
	for _, c := range d.Chain {
		chain = append(chain, c.String())
	}
	if len(chain) > 0 {
		s += " (" + strings.Join(chain, "; ") + ")"
	}
	return s
}

// apiError is a failed API call: the HTTP status, Cloudflare's codes and
// messages, and how long the API asked us to wait. It never holds the
// request, so nothing of its headers (the token) can leak through it.
type apiError struct {
	Status       int
	Errors       []errorDetail
	retryAfter   time.Duration
	hasRetry     bool // a Retry-After header was sent
	unsuccessful bool // a 2xx answer with "success": false
}

func (e *apiError) Error() string {
	var parts []string
	for _, d := range e.Errors {
		parts = append(parts, d.String())
	}
	detail := strings.Join(parts, "; ")
	if detail == "" {
		detail = "no error details"
	}
	if e.unsuccessful {
		return fmt.Sprintf("HTTP %d with \"success\": false: %s", e.Status, detail)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, detail)
}

// transient reports whether trying again later may succeed: rate limiting
// and server errors, as Cloudflare documents.
func (e *apiError) transient() bool {
	return !e.unsuccessful && (e.Status == http.StatusTooManyRequests || e.Status >= 500)
}

// Unwrap makes rate limiting and server errors dns.ErrTransient, and every
// other failure dns.ErrPermanent: a bad token, an unknown zone or record, an
// invalid request will not mend by retrying.
func (e *apiError) Unwrap() error {
	if e.transient() {
		return dns.ErrTransient
	}
	return dns.ErrPermanent
}

// RetryAfter is the wait the API asked for, if it did.
func (e *apiError) RetryAfter() (time.Duration, bool) { return e.retryAfter, e.hasRetry }

// netError is a request that got no answer (refused, reset, timed out).
type netError struct{ err error }

func (e *netError) Error() string   { return e.err.Error() }
func (e *netError) Unwrap() []error { return []error{e.err, dns.ErrTransient} }

// classify turns what cloudflare-go returned into an *apiError, a *netError
// or the error itself (the caller's context ending, or anything unforeseen,
// which is not retried). parent is the caller's context: a deadline error
// while it is still alive is the per-request timeout, worth a retry.
func classify(parent context.Context, err error) error {
	if err == nil {
		return nil
	}
	if parent.Err() != nil {
		return parent.Err()
	}
	var ours *apiError
	if errors.As(err, &ours) {
		return ours
	}
	var cf *cfdns.Error
	if errors.As(err, &cf) {
		e := &apiError{Status: cf.StatusCode}
		var env struct {
			Errors []errorDetail `json:"errors"`
		}
		if json.Unmarshal([]byte(cf.JSON.RawJSON()), &env) == nil {
			e.Errors = env.Errors
		}
		if cf.Response != nil {
			e.retryAfter, e.hasRetry = parseRetryAfter(cf.Response.Header, time.Now())
		}
		return e
	}
	var ue *url.Error
	if errors.As(err, &ue) || errors.Is(err, context.DeadlineExceeded) {
		return &netError{err: err}
	}
	return err
}

// maxRetryAfterSecs keeps an absurd Retry-After from overflowing a Duration.
const maxRetryAfterSecs = 24 * 3600

// parseRetryAfter reads Retry-After as seconds (decimals allowed, as
// cloudflare-go does) or an HTTP date.
func parseRetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 && !math.IsInf(secs, 0) {
		return time.Duration(min(secs, maxRetryAfterSecs) * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now)), true
	}
	return 0, false
}
