package vantage

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// writeBackoff spaces out switch attempts after DNS writes failed, so a DNS
// API that refuses writes during an outage is not hammered by every vantage
// point every round (Cloudflare allows 1,200 requests per 5 minutes per
// user, and one failed write with its own retries costs about 17).
//
// The schedule, in units of Options.WriteBackoff (one probe interval):
// after the first failure the next round tries again; after the n-th
// (n ≥ 2) the wait is drawn from [d/2, d] with d = 2^(n-1), capped at 16:
// 1–2, 2–4, 4–8, then 8–16 intervals. The jitter keeps the vantage points,
// which all saw the same failures, from retrying in step. A successful or
// stale write resets it.
//
// A wait never outlasts the API's own recovery: while backing off the
// vantage point still reads DNS every suspicious round, and when a read
// failed (the API stopped answering altogether) and a later one succeeds,
// the wait ends and that round tries the switch.
type writeBackoff struct {
	failures int
	until    time.Time
	// apiDown: a read failed since the last failed write.
	apiDown bool
	// jitter returns a duration in [0, d]; nil: uniform random.
	jitter func(d time.Duration) time.Duration
}

// maxBackoffDoublings caps the wait at 2^4 = 16 units.
const maxBackoffDoublings = 4

// failed records a failed write decided at now and returns the wait before
// the next attempt (0: the next round). Each round's now is taken at the
// same point (the decision), so a wait of k units lets the k-th round
// after this one try; half a unit of slack absorbs rounds that start a
// little early (a faster probe, a fast re-check).
func (b *writeBackoff) failed(now time.Time, unit time.Duration) time.Duration {
	b.failures++
	b.apiDown = false
	if b.failures == 1 {
		b.until = time.Time{}
		return 0
	}
	d := unit << min(b.failures-1, maxBackoffDoublings)
	j := b.jitter
	if j == nil {
		j = func(d time.Duration) time.Duration { return rand.N(d + 1) }
	}
	wait := d/2 + min(max(j(d/2), 0), d/2)
	b.until = now.Add(wait - unit/2)
	return wait
}

func (b *writeBackoff) succeeded() { b.failures, b.until, b.apiDown = 0, time.Time{}, false }

// readFailed notes that the DNS API did not answer a read.
func (b *writeBackoff) readFailed() {
	if b.failures > 0 {
		b.apiDown = true
	}
}

// readOK notes that the DNS API answered a read. It ends a wait when an
// earlier read had failed: the API answers again, so the switch must not
// wait out a schedule made while it was gone. It reports whether it did.
func (b *writeBackoff) readOK(now time.Time) bool {
	if !b.apiDown {
		return false
	}
	b.apiDown = false
	ended := now.Before(b.until)
	b.until = time.Time{}
	return ended
}

// holding says whether a switch attempt must wait, and why.
func (b *writeBackoff) holding(now time.Time) (string, bool) {
	if b.failures == 0 || !now.Before(b.until) {
		return "", false
	}
	return fmt.Sprintf("%d DNS write(s) failed; next attempt in %s", b.failures, b.until.Sub(now).Round(time.Millisecond)), true
}
