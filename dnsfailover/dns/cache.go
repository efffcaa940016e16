package dns

import (
	"context"
	"sync"
	"time"
)

// Cached wraps a Provider so that, at steady state, the DNS API is read at
// most once per ttl (every vantage point reads the record each round; the
// provider's API has rate limits and Lambda invocations are billed by time).
// Read may answer from memory; Fresh and Write always reach the provider, and
// callers use Fresh whenever a decision depends on the state (on suspicion,
// and right before a write).
//
// Cached implements Provider itself, so it can stand wherever one is used.
type Cached struct {
	p   Provider
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	snap    Snapshot
	at      time.Time // when snap was read; zero when there is none
	version uint64    // bumped by every store, so a slow read cannot overwrite a newer one
}

var _ Provider = (*Cached)(nil)

// NewCached returns p with reads cached for ttl (ttl <= 0: never cached).
// now is the clock (nil: time.Now); tests pass a fake one.
func NewCached(p Provider, ttl time.Duration, now func() time.Time) *Cached {
	if now == nil {
		now = time.Now
	}
	return &Cached{p: p, ttl: ttl, now: now}
}

// Read returns the cached snapshot while it is younger than ttl, and reads
// through otherwise. Errors are not cached.
func (c *Cached) Read(ctx context.Context) (Snapshot, error) {
	c.mu.Lock()
	if !c.at.IsZero() && c.now().Sub(c.at) < c.ttl {
		s := c.snap
		c.mu.Unlock()
		return s, nil
	}
	c.mu.Unlock()
	return c.Fresh(ctx)
}

// Fresh always reads through to the provider and caches the answer.
func (c *Cached) Fresh(ctx context.Context) (Snapshot, error) {
	c.mu.Lock()
	v := c.version
	c.mu.Unlock()
	s, err := c.p.Read(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	c.store(s, v)
	return s, nil
}

// Write passes c through and caches the snapshot read back after it. A
// failed write drops the cache: the record may have moved (ErrStale) or be
// in a state we did not see, so the next Read goes to the provider. The
// snapshot the provider returned with an error (ErrSuperseded's read-back)
// is returned as it is.
func (c *Cached) Write(ctx context.Context, ch Change) (Snapshot, error) {
	c.mu.Lock()
	v := c.version
	c.mu.Unlock()
	s, err := c.p.Write(ctx, ch)
	if err != nil {
		c.mu.Lock()
		c.at, c.snap = time.Time{}, Snapshot{}
		c.version++
		c.mu.Unlock()
		// Whatever the provider read back goes to the caller: after
		// ErrSuperseded it is the record as it is now.
		return s, err
	}
	c.store(s, v)
	return s, nil
}

// store keeps s unless something else was stored since the read of s began.
func (c *Cached) store(s Snapshot, readVersion uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != readVersion {
		return
	}
	c.snap, c.at = s, c.now()
	c.version++
}
