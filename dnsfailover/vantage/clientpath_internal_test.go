package vantage

import (
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/peers"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
)

// A vantage point whose observation arrives twice (its own reply and a
// retry, say) counts once, with its newest: the client path is judged per
// vantage point, as the quorum judges votes.
func TestStandbyClientPathCountsEachVantageOnce(t *testing.T) {
	at := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	obs := func(id string, ok bool, when time.Time) peers.Observation {
		return peers.Observation{Vantage: id, At: when, StandbyClient: &probe.Result{OK: ok, Reason: "status 503"}}
	}
	observed := []peers.Observation{
		obs("aws:us-east-1", false, at),
		obs("aws:us-east-1", true, at.Add(time.Second)), // newer: the path works again
		obs("gcp:europe-west1", false, at),
		obs("aws:us-east-1", false, at.Add(-time.Second)), // older than both above
	}
	vd := quorum.Verdict{Quorum: 2, Counted: []string{"aws:us-east-1", "gcp:europe-west1"}}
	cp := standbyClientPath(observed, vd, quorum.Rule{Quorum: 2})
	if cp == nil || cp.Counted != 2 || cp.Failed != 1 {
		t.Fatalf("client path = %+v, want 2 counted (one per vantage point), 1 failed", cp)
	}
}
