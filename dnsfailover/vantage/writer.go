package vantage

import (
	"context"
	"sync"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
)

// One writer per switch. Vantage points that see an outage in the same
// round all reach the same verdict; each writing its own batch would cost a
// batch per vantage point, all but one refused as stale. A peer asks for
// votes only when it suspects, so a request from a peer is news that it may
// be about to write. A vantage point about to switch therefore yields to
// every peer with a smaller id that asked within the last PEER_TIMEOUT +
// Settle: it re-reads the record every Settle/4 and writes only if nothing
// moved within handOver(window, rank), rank being how many such peers
// there are. The smallest id among the suspects writes at once, the others
// confirm its write by reading; if it died or was refused, the next by id
// writes half a window later, the one after it a quarter window after that,
// and so on: the whole hand-over stays within one window (PEER_TIMEOUT +
// Settle) however many vantage points there are, the most a dead first
// writer adds to failover.DetectionBound. Two late writers that meet anyway are kept apart by
// the write's compare-and-swap: one is refused as stale. No switch depends
// on any one vantage point being alive, and a vantage point that no peer
// asked never waits.

// writers remembers when each peer last asked for an observation.
type writers struct {
	mu sync.Mutex
	at map[string]time.Time
}

func (w *writers) asked(id string, now time.Time) {
	if id == "" {
		return // our own round's check
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.at == nil {
		w.at = map[string]time.Time{}
	}
	w.at[id] = now
}

// before counts the peers with an id smaller than self that asked after since.
func (w *writers) before(self string, since time.Time) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for id, at := range w.at {
		if id < self && at.After(since) {
			n++
		}
	}
	return n
}

// yieldToFirstWriter waits for the switch d to be written by a peer that
// comes first, as above. It returns the record as last read and whether it
// moved (another vantage point wrote; this one has nothing to do). A failed
// read sets r.Error.
func (v *Vantage) yieldToFirstWriter(ctx context.Context, r *Round, snap dns.Snapshot, d failover.Decision) (dns.Snapshot, bool) {
	if v.o.Settle <= 0 {
		return snap, false
	}
	window := v.o.PeerClient.Timeout + v.o.Settle
	rank := v.writers.before(v.o.ID, v.o.Now().Add(-window))
	if rank == 0 {
		return snap, false
	}
	wait := handOver(window, rank)
	until := v.o.Now().Add(wait)
	poll := max(v.o.Settle/4, time.Millisecond)
	v.o.Log.Info("leaving the switch to a peer first by id", "peers_before", rank, "for_at_most", wait)
	for v.o.Now().Before(until) {
		select {
		case <-ctx.Done():
			v.fail(r, "wait for the first writer", ctx.Err())
			return snap, false
		case <-v.o.After(poll):
		}
		fresh, err := v.o.DNS.Fresh(ctx)
		if err != nil {
			v.fail(r, "read DNS", err)
			return snap, false
		}
		if fresh.State.Gen != snap.State.Gen || fresh.Content != snap.Content {
			r.Record, r.Active = &fresh, fresh.State.Active
			v.o.Log.Info("a peer wrote the switch; confirmed by reading, nothing to write",
				"by", fresh.State.By, "generation", fresh.State.Gen, "active", fresh.State.Active)
			v.emit(Event{Kind: EventStale, To: d.To, Generation: fresh.State.Gen,
				Reason: "confirmed " + fresh.State.By + "'s switch by reading; no write needed"})
			return fresh, true
		}
	}
	return snap, false
}

// handOver is how long the writer of the given rank (peers before it) leaves
// the switch to them: window × (1 − 2^−rank), so each later rank waits
// longer than the one before and none waits a whole window.
func handOver(window time.Duration, rank int) time.Duration {
	if rank <= 0 {
		return 0
	}
	if rank >= 62 {
		return window
	}
	return window - window>>rank
}
