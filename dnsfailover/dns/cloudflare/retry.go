package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"
)

// Backoff between attempts when the API gives no Retry-After: 500ms, 1s,
// 2s, ... up to maxBackoff, each with up to half of it taken off at random
// so that vantage points retrying together spread out.
const (
	baseBackoff = 500 * time.Millisecond
	maxBackoff  = 8 * time.Second
	// maxRetryWait is the longest Retry-After we wait for. A switch is
	// decided on observations a few seconds old; waiting minutes to act on
	// them would be worse than failing now and deciding again next round.
	maxRetryWait = 15 * time.Second
)

// backoff is the longest wait before retry number attempt+1 (attempt from 0).
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

// retryWait says whether err is worth another attempt after the attempt
// numbered attempt (from 0) and how long to wait first: Retry-After when the
// API sent one, else the jittered backoff.
func (p *Provider) retryWait(ctx context.Context, err error, attempt int) (time.Duration, bool) {
	if attempt >= p.maxRetries {
		return 0, false
	}
	var ae *apiError
	var ne *netError
	if !(errors.As(err, &ae) && ae.transient()) && !errors.As(err, &ne) {
		return 0, false
	}
	d := backoff(p.backoff, attempt)
	wait := d - rand.N(d/2+1)
	if ae != nil && ae.HasRetry {
		if ae.RetryAfter > maxRetryWait {
			return 0, false
		}
		wait = ae.RetryAfter
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		return 0, false // the caller would be gone before the retry
	}
	return wait, true
}

// call runs fn, an idempotent request, until it succeeds, fails for good or
// has been retried maxRetries times. op names the request in errors and logs.
func (p *Provider) call(ctx context.Context, op string, fn func() error) error {
	for attempt := 0; ; attempt++ {
		err := classify(ctx, fn())
		if err == nil {
			return nil
		}
		wait, ok := p.retryWait(ctx, err, attempt)
		if !ok {
			return fmt.Errorf("%s: %w", op, err)
		}
		p.logRetry(op, err, attempt, wait)
		if err := p.sleep(ctx, wait); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
}

func (p *Provider) logRetry(op string, err error, attempt int, wait time.Duration) {
	p.log.Warn("cloudflare: retrying", slog.String("op", op), slog.String("error", err.Error()),
		slog.Int("attempt", attempt+1), slog.Duration("wait", wait))
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
