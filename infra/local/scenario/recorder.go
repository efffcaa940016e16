package scenario

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// Recorder keeps every world event and lets a scenario wait for one, so
// scenarios wait on what happened rather than on the clock.
type Recorder struct {
	mu      sync.Mutex
	events  []world.Event
	changed chan struct{} // closed and replaced on every event
	print   func(world.Event)
}

// NewRecorder returns a Recorder that also passes each event to print (nil: none).
func NewRecorder(print func(world.Event)) *Recorder {
	return &Recorder{changed: make(chan struct{}), print: print}
}

// Record is the world's Events hook. print runs under the lock: events
// come from every vantage goroutine at once, and the printed timeline must
// neither race nor differ in order from the recorded one.
func (r *Recorder) Record(e world.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	close(r.changed)
	r.changed = make(chan struct{})
	if r.print != nil {
		r.print(e)
	}
}

// Events returns a copy of every event so far.
func (r *Recorder) Events() []world.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]world.Event(nil), r.events...)
}

// Mark returns the number of events so far, to wait for events after it.
func (r *Recorder) Mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// Since returns the events recorded after mark.
func (r *Recorder) Since(mark int) []world.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]world.Event(nil), r.events[mark:]...)
}

// WaitFor blocks until done, given every event after mark, returns true, or
// ctx ends (then it returns an error naming what was awaited).
func (r *Recorder) WaitFor(ctx context.Context, mark int, what string, done func([]world.Event) bool) error {
	for {
		r.mu.Lock()
		evs := r.events[mark:]
		ok := done(evs)
		c := r.changed
		r.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-c:
		}
	}
}

// Count returns how many events match.
func Count(evs []world.Event, match func(world.Event) bool) int {
	n := 0
	for _, e := range evs {
		if match(e) {
			n++
		}
	}
	return n
}

// Kind matches events of kind k, from vantage id when id is not empty.
func Kind(k vantage.EventKind, id string) func(world.Event) bool {
	return func(e world.Event) bool { return e.Kind == k && (id == "" || e.Vantage == id) }
}

// SwitchTo matches switches to side.
func SwitchTo(side state.Side) func(world.Event) bool {
	return func(e world.Event) bool { return e.Kind == vantage.EventSwitched && e.To == side }
}

// RoundsFromAll is a WaitFor condition: every vantage in ids finished at
// least n rounds.
func RoundsFromAll(ids []string, n int) func([]world.Event) bool {
	return func(evs []world.Event) bool {
		for _, id := range ids {
			if Count(evs, Kind(vantage.EventRound, id)) < n {
				return false
			}
		}
		return true
	}
}

// Within gives a context for a wait bounded by d.
func Within(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d)
}
