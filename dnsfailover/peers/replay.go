package peers

import (
	"sync"
	"time"
)

// maxNonces bounds the replay cache. Only correctly signed requests reach
// it, so only a key holder can fill it; peers ask at most a few times per
// probe interval, so this is far above honest use.
const maxNonces = 10000

// replayCache remembers the nonces of accepted requests until their
// timestamp leaves the skew window; after that the skew check alone refuses
// them, so the cache never needs to grow beyond one window of traffic.
type replayCache struct {
	mu        sync.Mutex
	max       int
	seen      map[string]time.Time // nonce → when it may be forgotten
	nextSweep time.Time
	every     time.Duration // time between sweeps of expired nonces
}

func newReplayCache(limit int, every time.Duration) *replayCache {
	return &replayCache{max: limit, every: every, seen: make(map[string]time.Time)}
}

// result of replayCache.add.
type addResult int

const (
	added addResult = iota
	replayed
	full
)

// add records nonce as used until forget. It reports replayed when the
// nonce is already held, and full when the cache holds max live nonces (the
// request is then refused rather than an unexpired nonce forgotten, which
// would reopen a replay window).
func (c *replayCache) add(nonce string, forget, now time.Time) addResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	if until, ok := c.seen[nonce]; ok && !now.After(until) {
		return replayed
	}
	if now.After(c.nextSweep) || len(c.seen) >= c.max {
		for n, until := range c.seen {
			if now.After(until) {
				delete(c.seen, n)
			}
		}
		c.nextSweep = now.Add(c.every)
	}
	if len(c.seen) >= c.max {
		return full
	}
	c.seen[nonce] = forget
	return added
}

func (c *replayCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}
