package vantage

import (
	"testing"
	"time"
)

// TestWriteBackoffSchedule walks the schedule on a fake clock whose rounds
// start a little early or late, as real rounds do: the first retry is the
// next round, then waits of [d/2, d] with d doubling to 16 intervals.
func TestWriteBackoffSchedule(t *testing.T) {
	const unit = 10 * time.Second
	t0 := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		jitter func(time.Duration) time.Duration // of d/2
		// rounds[i]: how many rounds after failure i+1 the next attempt comes
		rounds []int
	}{
		{"no jitter: the longest waits", func(d time.Duration) time.Duration { return d }, []int{1, 2, 4, 8, 16, 16, 16}},
		{"all jitter: the shortest waits", func(time.Duration) time.Duration { return 0 }, []int{1, 1, 2, 4, 8, 8, 8}},
		{"half jitter", func(d time.Duration) time.Duration { return d / 2 }, []int{1, 1, 3, 6, 12, 12}},
		{"out-of-range jitter is clamped", func(d time.Duration) time.Duration { return 10 * d }, []int{1, 2, 4, 8, 16}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := writeBackoff{jitter: tc.jitter}
			if _, hold := b.holding(t0); hold {
				t.Fatal("holds before any failure: the first switch attempt must never wait")
			}
			now := t0
			for i, want := range tc.rounds {
				b.failed(now, unit)
				// Rounds come every unit, each up to 2s early or late.
				got := 0
				for k := 1; k <= 20; k++ {
					skew := time.Duration(k%3-1) * 2 * time.Second
					at := now.Add(time.Duration(k)*unit + skew)
					if _, hold := b.holding(at); !hold {
						got, now = k, at
						break
					}
				}
				if got != want {
					t.Fatalf("after failure %d the next attempt came %d rounds later, want %d", i+1, got, want)
				}
			}
			b.succeeded()
			if _, hold := b.holding(now); hold || b.failures != 0 {
				t.Fatal("a successful write did not reset the backoff")
			}
		})
	}
}

// TestWriteBackoffEndsWhenTheAPIAnswersAgain: a read that fails and a later
// one that succeeds end the wait at once; reads that kept working do not.
func TestWriteBackoffEndsWhenTheAPIAnswersAgain(t *testing.T) {
	const unit = 10 * time.Second
	now := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	b := writeBackoff{jitter: func(d time.Duration) time.Duration { return d }}
	b.failed(now, unit)
	b.failed(now, unit)
	b.failed(now, unit) // 4 units
	now = now.Add(unit)
	if b.readOK(now) {
		t.Fatal("a read that worked all along ended the wait: writes alone are failing")
	}
	if _, hold := b.holding(now); !hold {
		t.Fatal("not holding one unit into a 4-unit wait")
	}
	b.readFailed()
	now = now.Add(unit)
	if !b.readOK(now) {
		t.Fatal("the API answers again, but the wait did not end")
	}
	if _, hold := b.holding(now); hold {
		t.Fatal("still holding after the API answered again")
	}
	b.readFailed() // before any failed write: nothing to end
	b.succeeded()
	b.readFailed()
	if b.apiDown {
		t.Fatal("a failed read with no failed write marked the API down")
	}
}
