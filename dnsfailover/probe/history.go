package probe

import (
	"fmt"
	"sync"
)

// ConsecutiveFailures counts the failed Results at the newest end of
// history (ordered oldest first), stopping at the first success.
func ConsecutiveFailures(history []Result) int { return streak(history, false) }

// ConsecutiveSuccesses counts the OK Results at the newest end of history
// (ordered oldest first), stopping at the first failure.
func ConsecutiveSuccesses(history []Result) int { return streak(history, true) }

func streak(history []Result, ok bool) int {
	n := 0
	for i := len(history) - 1; i >= 0 && history[i].OK == ok; i-- {
		n++
	}
	return n
}

// History keeps the last few Results of one target, oldest dropped first.
// It is safe for concurrent use; make one with NewHistory.
type History struct {
	mu    sync.Mutex
	buf   []Result // ring of fixed length = capacity
	next  int      // where the next Result goes
	count int      // how many of buf are filled
}

// NewHistory returns a History that keeps the newest capacity Results.
// capacity must be at least 1 (e.g. max(FAIL_AFTER, RECOVER_AFTER)).
func NewHistory(capacity int) *History {
	if capacity < 1 {
		panic(fmt.Sprintf("probe: NewHistory capacity %d, want at least 1", capacity))
	}
	return &History{buf: make([]Result, capacity)}
}

// Add records r as the newest Result, dropping the oldest when full.
func (h *History) Add(r Result) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.buf[h.next] = r
	h.next = (h.next + 1) % len(h.buf)
	if h.count < len(h.buf) {
		h.count++
	}
}

// Results returns a copy of the kept Results, oldest first.
func (h *History) Results() []Result {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Result, 0, h.count)
	start := (h.next - h.count + len(h.buf)) % len(h.buf)
	for i := range h.count {
		out = append(out, h.buf[(start+i)%len(h.buf)])
	}
	return out
}

// Last returns the newest Result, false when none was added yet.
func (h *History) Last() (Result, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.count == 0 {
		return Result{}, false
	}
	return h.buf[(h.next-1+len(h.buf))%len(h.buf)], true
}

// Cap is the most Results h keeps.
func (h *History) Cap() int { return len(h.buf) }
