package vantage

import (
	"testing"
	"time"
)

// The hand-over to peers first by id must stay within one window however
// many there are (the detection bound allows one), and each rank must wait
// longer than the one before it so that the next by id writes first.
func TestHandOverStaysWithinOneWindow(t *testing.T) {
	window := 5*time.Second + 2*time.Second // PEER_TIMEOUT + Settle at defaults
	if got := handOver(window, 0); got != 0 {
		t.Fatalf("rank 0 waits %s, want 0: the first by id writes at once", got)
	}
	prev := time.Duration(0)
	for rank := 1; rank <= 100; rank++ {
		got := handOver(window, rank)
		if got > window {
			t.Fatalf("rank %d waits %s, longer than one window (%s)", rank, got, window)
		}
		if got < prev || (rank < 20 && got == prev) {
			t.Fatalf("rank %d waits %s, not longer than rank %d's %s", rank, got, rank-1, prev)
		}
		prev = got
	}
	if got := handOver(window, 1); got != window/2 {
		t.Errorf("rank 1 waits %s, want half a window", got)
	}
}
