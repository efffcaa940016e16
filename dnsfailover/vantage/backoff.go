package vantage

import (
	"fmt"
	"time"
)

// writeBackoff spaces out switch attempts after DNS writes failed, so a DNS
// API that refuses writes during an outage is not hammered by every vantage
// point every round (Cloudflare allows 1,200 requests per 5 minutes per
// user, and one failed write with its own retries costs about 17). The wait
// doubles from Options.WriteBackoff up to 16 times that, and a successful or
// stale write resets it. Failover is still attempted at once the first time.
type writeBackoff struct {
	failures int
	until    time.Time
}

const maxBackoffDoublings = 4

func (b *writeBackoff) failed(now time.Time, base time.Duration) time.Duration {
	wait := base << min(b.failures, maxBackoffDoublings)
	b.failures++
	b.until = now.Add(wait)
	return wait
}

func (b *writeBackoff) succeeded() { *b = writeBackoff{} }

// holding says whether a switch attempt must wait, and why.
func (b *writeBackoff) holding(now time.Time) (string, bool) {
	if b.failures == 0 || !now.Before(b.until) {
		return "", false
	}
	return fmt.Sprintf("%d DNS write(s) failed; next attempt in %s", b.failures, b.until.Sub(now).Round(time.Millisecond)), true
}
