package vantage

import (
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// EventKind names what happened.
type EventKind string

const (
	EventSuspect  EventKind = "suspect"  // own results crossed FAIL_AFTER (or RECOVER_AFTER); peers are asked
	EventRefused  EventKind = "refused"  // a switch was considered and refused by the quorum
	EventSwitched EventKind = "switched" // the record was moved and read back
	EventStale    EventKind = "stale"    // another vantage point wrote first
	EventDryRun   EventKind = "dry_run"  // a switch that SWITCHYARD_DRY_RUN kept from happening
	EventError    EventKind = "error"    // DNS read or write failed
	// EventDNSDisagree: several DNS providers have disagreed for
	// NotifyDNSFailures rounds in a row (notify.go).
	EventDNSDisagree EventKind = "dns_disagree"
	EventRound       EventKind = "round" // a round finished (Round is set); frequent, for tests and timelines
)

// Event is a noteworthy thing a vantage point did, for timelines and alerts.
type Event struct {
	Kind       EventKind       `json:"event"`
	Vantage    string          `json:"vantage"`
	At         time.Time       `json:"at"`
	To         state.Side      `json:"to,omitempty"`
	Target     string          `json:"target,omitempty"`
	Generation uint64          `json:"generation,omitempty"`
	Reason     string          `json:"reason,omitempty"`
	Verdict    *quorum.Verdict `json:"-"`
	Round      *Round          `json:"-"`
}
