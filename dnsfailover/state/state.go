// Package state encodes and decodes the failover state that switchyard keeps
// in a TXT record beside the switched record, `_switchyard.<record>`.
//
// Keeping state in DNS means no database: the DNS provider is already the one
// thing that must be up for any failover, so it adds no new way to fail.
package state

import "time"

// Version is the only encoding version this package writes and reads.
const Version = 1

// Side names which origin the record points at.
type Side string

const (
	Primary Side = "primary"
	Standby Side = "standby"
)

// State is the decoded content of the `_switchyard.<record>` TXT record, e.g.
//
//	v=1 active=standby gen=7 since=2026-11-25T17:00:00Z by=aws:eu-west-1 dwell=20m0s pinned=0 reason="4/5 down (aws,gcp)"
type State struct {
	Active Side
	// Gen increases by one with every write; a writer holding an older
	// generation than the record's gives up.
	Gen    uint64
	Since  time.Time // when Active last changed (UTC, second precision)
	By     string    // vantage id or "manual:<who>"
	Pinned bool      // set by a manual failover; automation never moves a pinned record
	// Dwell is how long the record stays on the standby before an automatic
	// failback, when flap damping has lengthened it beyond MIN_DWELL (see
	// failover.NextDwell); zero (absent, as in older records) means
	// MIN_DWELL. Kept here so that every vantage point waits the same.
	Dwell time.Duration
	// Until ends a maintenance hold: a pinned state with an Until is
	// pinned only until then, after which automation treats it as
	// unpinned (Held). Zero (absent, as in older records): pinned until
	// an operator hands the record back.
	Until  time.Time
	Reason string
}

// Held reports whether automation must leave the record alone at now: it
// is pinned, and any hold has not yet run out. A vantage point whose clock
// runs ahead by up to CLOCK_SKEW ends a hold at most that much early, and
// one behind ends it that much late (failover.TestHoldUnderClockSkew).
func (s State) Held(now time.Time) bool {
	return s.Pinned && (s.Until.IsZero() || now.Before(s.Until))
}

// HoldEnded reports whether s is a maintenance hold that has run out at now.
func (s State) HoldEnded(now time.Time) bool {
	return s.Pinned && !s.Until.IsZero() && !now.Before(s.Until)
}

// RecordName returns the name of the TXT record that holds the state of record.
func RecordName(record string) string { return "_switchyard." + record }

// Next returns the state that follows s when a writer sets active: one
// generation later, with the new writer, reason and pin, and the same
// dwell (a switch that changes it sets it afterwards). Since becomes now
// (UTC, whole seconds) when active differs from s.Active and is kept
// otherwise, so it always tells when traffic last moved.
func (s State) Next(active Side, by, reason string, pinned bool, now time.Time) State {
	next := State{
		Active: active,
		Gen:    s.Gen + 1,
		Since:  s.Since,
		By:     by,
		Pinned: pinned,
		Dwell:  s.Dwell,
		Reason: reason,
	}
	if active != s.Active {
		// The TXT holds whole seconds. Round up, never down, so that a
		// minimum dwell measured from Since is never cut short.
		next.Since = now.UTC().Truncate(time.Second)
		if next.Since.Before(now) {
			next.Since = next.Since.Add(time.Second)
		}
	}
	return next
}
