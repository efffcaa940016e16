package dns

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// countingProvider is a Provider that holds one record in memory and counts
// the calls it gets.
type countingProvider struct {
	mu            sync.Mutex
	snap          Snapshot
	reads, writes int
	readErr       error
	writeErr      error
	errSnap       Snapshot // returned with writeErr, as a read-back after ErrSuperseded
}

func (p *countingProvider) Read(context.Context) (Snapshot, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reads++
	if p.readErr != nil {
		return Snapshot{}, p.readErr
	}
	return p.snap, nil
}

func (p *countingProvider) Write(_ context.Context, c Change) (Snapshot, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writes++
	if p.writeErr != nil {
		return p.errSnap, p.writeErr
	}
	p.snap.Content, p.snap.State, p.snap.HasState = c.Target, c.State, true
	return p.snap, nil
}

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestCachedRead(t *testing.T) {
	tests := []struct {
		name      string
		ttl       time.Duration
		steps     func(c *Cached, clk *fakeClock)
		wantReads int
	}{
		{"reads within ttl hit the cache", time.Minute, func(c *Cached, clk *fakeClock) {
			for range 5 {
				mustRead(t, c.Read)
				clk.advance(10 * time.Second)
			}
		}, 1},
		{"a read at ttl goes through", time.Minute, func(c *Cached, clk *fakeClock) {
			mustRead(t, c.Read)
			clk.advance(time.Minute)
			mustRead(t, c.Read)
			mustRead(t, c.Read)
		}, 2},
		{"fresh always reads through and refreshes the cache", time.Minute, func(c *Cached, clk *fakeClock) {
			mustRead(t, c.Fresh)
			mustRead(t, c.Fresh)
			clk.advance(59 * time.Second)
			mustRead(t, c.Read)
		}, 2},
		{"zero ttl never caches", 0, func(c *Cached, _ *fakeClock) {
			mustRead(t, c.Read)
			mustRead(t, c.Read)
		}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &countingProvider{snap: Snapshot{Name: "assets.example.com", Content: "primary"}}
			clk := &fakeClock{t: time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)}
			c := NewCached(p, tc.ttl, clk.now)
			tc.steps(c, clk)
			if p.reads != tc.wantReads {
				t.Errorf("provider reads = %d, want %d", p.reads, tc.wantReads)
			}
		})
	}
}

// mustRead calls read and fails the test on an error.
func mustRead(t *testing.T, read func(context.Context) (Snapshot, error)) {
	t.Helper()
	if _, err := read(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestCachedReadErrorIsNotCached(t *testing.T) {
	p := &countingProvider{readErr: errors.New("boom")}
	clk := &fakeClock{t: time.Unix(0, 0)}
	c := NewCached(p, time.Minute, clk.now)
	if _, err := c.Read(context.Background()); err == nil {
		t.Fatal("want the provider's error")
	}
	p.readErr = nil
	if _, err := c.Read(context.Background()); err != nil || p.reads != 2 {
		t.Fatalf("second read: err %v, reads %d; want a read-through after an error", err, p.reads)
	}
}

func TestCachedWrite(t *testing.T) {
	ctx := context.Background()
	p := &countingProvider{snap: Snapshot{Content: "primary"}}
	clk := &fakeClock{t: time.Unix(0, 0)}
	c := NewCached(p, time.Minute, clk.now)
	mustRead(t, c.Read)

	got, err := c.Write(ctx, Change{Target: "standby", State: state.State{Active: state.Standby, Gen: 1}})
	if err != nil || got.Content != "standby" {
		t.Fatalf("write = %+v, %v", got, err)
	}
	s, err := c.Read(ctx)
	if err != nil || s.Content != "standby" || s.State.Gen != 1 || p.reads != 1 {
		t.Fatalf("read after write = %+v, %v (provider reads %d); want the read-back snapshot from cache", s, err, p.reads)
	}

	p.writeErr = ErrStale
	if _, err := c.Write(ctx, Change{Target: "primary"}); !errors.Is(err, ErrStale) {
		t.Fatalf("write error = %v, want ErrStale passed through", err)
	}
	mustRead(t, c.Read)
	if p.reads != 2 {
		t.Fatalf("provider reads = %d: a failed write must drop the cache", p.reads)
	}
}

// slowProvider blocks each Read until released, so a test can order a read
// around a write.
type slowProvider struct {
	countingProvider
	started, release chan struct{}
}

func (p *slowProvider) Read(ctx context.Context) (Snapshot, error) {
	s, err := p.countingProvider.Read(ctx)
	p.started <- struct{}{}
	<-p.release
	return s, err
}

func TestCachedSlowReadDoesNotOverwriteWrite(t *testing.T) {
	ctx := context.Background()
	p := &slowProvider{countingProvider: countingProvider{snap: Snapshot{Content: "primary"}},
		started: make(chan struct{}), release: make(chan struct{})}
	clk := &fakeClock{t: time.Unix(0, 0)}
	c := NewCached(p, time.Minute, clk.now)

	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = c.Fresh(ctx) // reads "primary", then waits
	}()
	<-p.started
	if _, err := c.Write(ctx, Change{Target: "standby", State: state.State{Gen: 1}}); err != nil {
		t.Fatal(err)
	}
	close(p.release)
	<-done

	s, err := c.Read(ctx)
	if err != nil || s.Content != "standby" {
		t.Fatalf("cached = %+v, %v; the slow read from before the write replaced its result", s, err)
	}
}

// A write committed and then replaced before its read-back returns the
// record as read back with ErrSuperseded: the cache passes it on, so the
// caller records what the record is now rather than an empty one.
func TestCachedWriteKeepsTheSnapshotOfAnError(t *testing.T) {
	ctx := context.Background()
	now := Snapshot{Name: "assets.example.com", Content: "primary", HasState: true, State: state.State{Active: state.Primary, Gen: 2}}
	p := &countingProvider{snap: Snapshot{Content: "primary"}, writeErr: ErrSuperseded, errSnap: now}
	c := NewCached(p, time.Minute, (&fakeClock{t: time.Unix(0, 0)}).now)
	got, err := c.Write(ctx, Change{Target: "standby", State: state.State{Active: state.Standby, Gen: 1}})
	if !errors.Is(err, ErrSuperseded) {
		t.Fatalf("err = %v, want ErrSuperseded", err)
	}
	if !reflect.DeepEqual(got, now) {
		t.Fatalf("snapshot = %+v, want the read-back %+v", got, now)
	}
}
