package route53

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
)

// Backoff between attempts: 500ms, 1s, 2s, ... up to maxBackoff, each with
// up to half taken off at random so vantage points retrying together spread
// out (Route 53 allows five requests a second per account).
const (
	baseBackoff = 500 * time.Millisecond
	maxBackoff  = 8 * time.Second
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

// transient reports whether another attempt may succeed: throttling, a
// change of the zone still in progress, a 5xx, or no answer at all.
func transient(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "Throttling", "ThrottlingException", "RequestLimitExceeded", "PriorRequestNotComplete",
			"ServiceUnavailable", "InternalFailure", "InternalError":
			return true
		}
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode() >= 500
	}
	return ae == nil // no API answer: a network error or a request timeout
}

// classify marks what retrying will not fix as dns.ErrPermanent.
func classify(err error) error {
	if err == nil || transient(err) {
		return err
	}
	return fmt.Errorf("%w: %w", err, dns.ErrPermanent)
}

// wait says whether to try again after attempt number attempt (from 0)
// failed with err, and sleeps the backoff if so.
func (p *Provider) wait(ctx context.Context, op string, err error, attempt int) bool {
	if ctx.Err() != nil || attempt >= p.maxRetries || !transient(err) {
		return false
	}
	d := backoff(p.backoff, attempt)
	d -= rand.N(d/2 + 1)
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return false
	}
	p.log.Warn("route53: retrying", slog.String("op", op), slog.String("error", err.Error()),
		slog.Int("attempt", attempt+1), slog.Duration("wait", d))
	return p.sleep(ctx, d) == nil
}

// retry runs fn, an idempotent request, each attempt bounded by the
// request timeout, until it succeeds, fails for good or has been retried
// maxRetries times.
func (p *Provider) retry(ctx context.Context, op string, fn func(context.Context) error) error {
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, p.requestTimeout)
		err := fn(actx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", op, ctx.Err())
		}
		if !p.wait(ctx, op, err, attempt) {
			return fmt.Errorf("%s: %w", op, classify(err))
		}
	}
}
