package vantage

import (
	"context"
	"time"
)

// Run runs a round every interval until ctx ends, and after a round that
// left the primary suspect (Round.Recheck) the next one after FastInterval.
func (v *Vantage) Run(ctx context.Context, interval time.Duration) {
	for ctx.Err() == nil {
		start := v.o.Now()
		r := v.RunRound(ctx)
		if !v.sleep(ctx, v.next(start, r, interval)) {
			return
		}
	}
}

// RunUntil runs rounds as Run does while each can end by ctx's deadline
// less margin, and starts no regular round at or after until (zero: no such
// limit); re-checks of a suspect primary go on to the deadline, so a streak
// under way is finished rather than dropped. A Lambda invocation uses it to
// probe more often than its schedule invokes it.
func (v *Vantage) RunUntil(ctx context.Context, interval, margin time.Duration, until time.Time) []Round {
	deadline, ok := ctx.Deadline()
	if !ok {
		return []Round{v.RunRound(ctx)}
	}
	var rounds []Round
	for ctx.Err() == nil {
		start := v.o.Now()
		r := v.RunRound(ctx)
		rounds = append(rounds, r)
		next := v.next(start, r, interval)
		regular := next.Equal(start.Add(interval))
		if deadline.Sub(next) < margin || (regular && !until.IsZero() && !next.Before(until)) || !v.sleep(ctx, next) {
			break
		}
	}
	return rounds
}

// next is when the round after r, which started at start, is due. It counts
// from the start, so rounds keep their phase however long one takes; a round
// that overran starts the next at once, never two at a time.
func (v *Vantage) next(start time.Time, r Round, interval time.Duration) time.Time {
	if r.Recheck && v.o.FastInterval > 0 && v.o.FastInterval < interval {
		return start.Add(v.o.FastInterval)
	}
	return start.Add(interval)
}

// sleep waits until at, and reports false when ctx ended first.
func (v *Vantage) sleep(ctx context.Context, at time.Time) bool {
	d := at.Sub(v.o.Now())
	if d <= 0 {
		return ctx.Err() == nil
	}
	select {
	case <-ctx.Done():
		return false
	case <-v.o.After(d):
		return true
	}
}
