package probe

import (
	"slices"
	"sync"
	"testing"
)

// results turns "FFO" into failed, failed, ok (oldest first).
func results(pattern string) []Result {
	out := make([]Result, len(pattern))
	for i, c := range pattern {
		out[i] = Result{OK: c == 'O', Status: i}
	}
	return out
}

func TestConsecutive(t *testing.T) {
	tests := []struct {
		history          string
		failures, succes int
	}{
		{"", 0, 0},
		{"F", 1, 0},
		{"O", 0, 1},
		{"OOFFF", 3, 0},
		{"FFFOO", 0, 2},
		{"FOFOF", 1, 0},
		{"FFFFFF", 6, 0},
	}
	for _, tt := range tests {
		t.Run(tt.history, func(t *testing.T) {
			h := results(tt.history)
			if got := ConsecutiveFailures(h); got != tt.failures {
				t.Errorf("ConsecutiveFailures = %d, want %d", got, tt.failures)
			}
			if got := ConsecutiveSuccesses(h); got != tt.succes {
				t.Errorf("ConsecutiveSuccesses = %d, want %d", got, tt.succes)
			}
		})
	}
}

func statuses(rs []Result) []int {
	out := make([]int, len(rs))
	for i, r := range rs {
		out[i] = r.Status
	}
	return out
}

func TestHistoryKeepsNewest(t *testing.T) {
	tests := []struct {
		capacity, added int
		want            []int // Status of each kept Result, oldest first
	}{
		{capacity: 3, added: 0, want: []int{}},
		{capacity: 3, added: 2, want: []int{0, 1}},
		{capacity: 3, added: 3, want: []int{0, 1, 2}},
		{capacity: 3, added: 4, want: []int{1, 2, 3}},
		{capacity: 3, added: 8, want: []int{5, 6, 7}},
		{capacity: 1, added: 5, want: []int{4}},
	}
	for _, tt := range tests {
		h := NewHistory(tt.capacity)
		for i := range tt.added {
			h.Add(Result{Status: i})
		}
		if got := statuses(h.Results()); !slices.Equal(got, tt.want) {
			t.Errorf("cap %d after %d: Results = %v, want %v", tt.capacity, tt.added, got, tt.want)
		}
		last, ok := h.Last()
		if ok != (tt.added > 0) || (ok && last.Status != tt.added-1) {
			t.Errorf("cap %d after %d: Last = %v, %v, want status %d", tt.capacity, tt.added, last.Status, ok, tt.added-1)
		}
		if h.Cap() != tt.capacity {
			t.Errorf("Cap = %d, want %d", h.Cap(), tt.capacity)
		}
	}
}

func TestHistoryResultsIsACopy(t *testing.T) {
	h := NewHistory(2)
	h.Add(Result{Status: 1})
	got := h.Results()
	got[0].Status = 99
	if h.Results()[0].Status != 1 {
		t.Error("changing the returned slice changed the History")
	}
}

func TestHistoryConcurrent(t *testing.T) {
	h := NewHistory(4)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 100 {
				h.Add(Result{OK: (w+i)%2 == 0})
				ConsecutiveFailures(h.Results())
				h.Last()
			}
		})
	}
	wg.Wait()
	if n := len(h.Results()); n != 4 {
		t.Errorf("kept %d Results, want 4", n)
	}
}

func TestNewHistoryRejectsNoCapacity(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewHistory(0) did not panic")
		}
	}()
	NewHistory(0)
}
