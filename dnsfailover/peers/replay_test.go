package peers

import (
	"testing"
	"time"
)

func TestReplayCache(t *testing.T) {
	c := newReplayCache(2, time.Minute)
	skew := 30 * time.Second
	steps := []struct {
		name  string
		nonce string
		at    time.Time // request time, also its timestamp
		now   time.Time
		want  addResult
		size  int // nonces held after the step
	}{
		{"first", "a", t0, t0, added, 1},
		{"replay", "a", t0, t0.Add(skew), replayed, 1},
		{"second", "b", t0.Add(10 * time.Second), t0.Add(10 * time.Second), added, 2},
		{"full while both live", "c", t0.Add(20 * time.Second), t0.Add(20 * time.Second), full, 2},
		{"a expired: evicted to make room", "c", t0.Add(31 * time.Second), t0.Add(31 * time.Second), added, 2},
		{"a may come back once expired", "a", t0.Add(45 * time.Second), t0.Add(45 * time.Second), added, 2},
		{"periodic sweep drops the rest", "d", t0.Add(5 * time.Minute), t0.Add(5 * time.Minute), added, 1},
	}
	for _, s := range steps {
		if got := c.add(s.nonce, s.at.Add(skew), s.now); got != s.want {
			t.Fatalf("%s: add = %d, want %d", s.name, got, s.want)
		}
		if got := c.len(); got != s.size {
			t.Fatalf("%s: %d nonces held, want %d", s.name, got, s.size)
		}
	}
}
