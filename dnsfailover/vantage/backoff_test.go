package vantage

import (
	"testing"
	"time"
)

func TestWriteBackoffDoublesAndResets(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	var b writeBackoff
	if _, hold := b.holding(t0); hold {
		t.Fatal("holds before any failure: the first switch attempt must never wait")
	}
	now := t0
	for i, want := range []time.Duration{10, 20, 40, 80, 160, 160} {
		want *= time.Second
		if got := b.failed(now, 10*time.Second); got != want {
			t.Fatalf("failure %d: wait %s, want %s", i+1, got, want)
		}
		if _, hold := b.holding(now.Add(want - time.Nanosecond)); !hold {
			t.Fatalf("failure %d: not holding just before the wait ends", i+1)
		}
		now = now.Add(want)
		if _, hold := b.holding(now); hold {
			t.Fatalf("failure %d: still holding when the wait ended", i+1)
		}
	}
	b.succeeded()
	if _, hold := b.holding(now); hold || b.failures != 0 {
		t.Fatal("a successful write did not reset the backoff")
	}
}
