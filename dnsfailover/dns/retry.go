package dns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"
)

// ErrTransient marks errors that trying again later may fix: rate limiting,
// server errors, no answer. A write that failed so may still have been
// committed (the answer can be lost after the commit), so Registry reads
// again before it writes again.
var ErrTransient = errors.New("transient DNS provider error")

// RetryAfter is implemented by errors that carry how long the API asked us
// to wait (a Retry-After header).
type RetryAfter interface {
	RetryAfter() (time.Duration, bool)
}

// Backoff between attempts when the API gives no Retry-After: 500ms, 1s,
// 2s, ... up to maxBackoff, each with up to half of it taken off at random
// so that vantage points retrying together spread out.
const (
	DefaultBackoff = 500 * time.Millisecond
	maxBackoff     = 8 * time.Second
	// maxRetryWait is the longest Retry-After we wait for. A switch is
	// decided on observations a few seconds old; waiting minutes to act on
	// them would be worse than failing now and deciding again next round.
	maxRetryWait = 15 * time.Second
)

// Retry is how a provider retries its requests, shared so that every
// provider backs off alike.
type Retry struct {
	Max   int                                              // retries after the first attempt; 0 or less: none
	Base  time.Duration                                    // the first backoff (0: DefaultBackoff)
	Sleep func(ctx context.Context, d time.Duration) error // nil: a real timer
	Log   *slog.Logger                                     // nil: discard
}

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

// Wait says whether err is worth another attempt after the attempt
// numbered attempt (from 0) and how long to wait first: Retry-After when the
// API sent one, else the jittered backoff. Only ErrTransient is retried.
func (r Retry) Wait(ctx context.Context, err error, attempt int) (time.Duration, bool) {
	if attempt >= r.Max || !errors.Is(err, ErrTransient) {
		return 0, false
	}
	base := r.Base
	if base <= 0 {
		base = DefaultBackoff
	}
	d := backoff(base, attempt)
	wait := d - rand.N(d/2+1)
	var ra RetryAfter
	if errors.As(err, &ra) {
		if after, ok := ra.RetryAfter(); ok {
			if after > maxRetryWait {
				return 0, false
			}
			wait = after
		}
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		return 0, false // the caller would be gone before the retry
	}
	return wait, true
}

// Do runs fn, an idempotent request, until it succeeds, fails for good or
// has been retried Max times. op names the request in errors and logs.
func (r Retry) Do(ctx context.Context, op string, fn func() error) error {
	for attempt := 0; ; attempt++ {
		err := fn()
		if err == nil {
			return nil
		}
		wait, ok := r.Wait(ctx, err, attempt)
		if !ok {
			return fmt.Errorf("%s: %w", op, err)
		}
		r.logRetry(op, err, attempt, wait)
		if err := r.sleep(ctx, wait); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
}

func (r Retry) logRetry(op string, err error, attempt int, wait time.Duration) {
	if r.Log != nil {
		r.Log.Warn("retrying", slog.String("op", op), slog.String("error", err.Error()),
			slog.Int("attempt", attempt+1), slog.Duration("wait", wait))
	}
}

func (r Retry) sleep(ctx context.Context, d time.Duration) error {
	if r.Sleep != nil {
		return r.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
