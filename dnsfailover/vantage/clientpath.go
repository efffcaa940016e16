package vantage

import (
	"context"
	"slices"

	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/peers"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// EventClientPathFailed: the standby would not serve clients at the
// record's name (its certificate, Host routing or address). Emitted when
// it starts failing or its reason changes, not every round.
const EventClientPathFailed EventKind = "client_path_failed"

// checkPrimary checks the primary at its own URL and, when that passes and
// the client-path check is on, at the record's name: a primary whose own
// URL answers while clients get a certificate error or a 404 (its custom
// domain broke) is down for them, so it is a failed check like any other.
func (v *Vantage) checkPrimary(ctx context.Context) (probe.Result, *probe.Result) {
	if v.o.PrimaryClient == nil {
		return v.o.Primary(ctx), nil
	}
	// In parallel, so the round takes no longer than its slower check.
	var client probe.Result
	done := make(chan struct{})
	go func() { defer close(done); client = v.o.PrimaryClient(ctx) }()
	own := v.o.Primary(ctx)
	<-done
	if !own.OK {
		// Down at its own URL: that is the story, the client path adds nothing.
		return own, &client
	}
	if !client.OK {
		own.OK = false
		own.Reason = "clients at the record's name: " + client.Reason
	}
	return own, &client
}

// checkStandby checks the standby at its own URL and, in parallel, the
// way clients will reach it. The two stay apart: a standby failing only
// the client path holds every object but would not serve them, a defect
// that refuses a failover (failover.ClientPath) and is reported on its own.
func (v *Vantage) checkStandby(ctx context.Context) (probe.Result, *probe.Result) {
	if v.o.StandbyClient == nil {
		return v.o.Standby(ctx), nil
	}
	var client probe.Result
	done := make(chan struct{})
	go func() { defer close(done); client = v.o.StandbyClient(ctx) }()
	own := v.o.Standby(ctx)
	<-done
	return own, &client
}

// noteClientPath logs and tells when the standby starts failing its
// client-path check, or fails it for another reason. Called under roundMu.
func (v *Vantage) noteClientPath(obs peers.Observation) {
	failing := ""
	if c := obs.StandbyClient; c != nil && !c.OK {
		failing = c.Reason
	}
	if failing != "" {
		v.clientFails++
	} else {
		v.clientFails = 0
	}
	// A person is told once it has failed FAIL_AFTER rounds in a row: one
	// handshake that timed out on a loaded prober is not a defect to page for.
	if v.clientFails == max(v.o.Policy.FailAfter, 1) {
		v.tellClientPath(v.o.Record, failing)
	}
	switch {
	case failing != "" && failing != v.clientFailing:
		v.o.Log.Warn("standby would not serve clients at the record's name", "reason", failing)
		v.emit(Event{Kind: EventClientPathFailed, To: state.Standby, Reason: failing})
	case failing == "" && v.clientFailing != "" && obs.StandbyClient != nil:
		v.o.Log.Info("standby serves clients at the record's name again")
	}
	v.clientFailing = failing
}

// standbyClientPath counts, among the observations whose votes counted,
// those that checked the standby's client path and found it failing. Nil
// when none checked it (the check is off everywhere, or older peers).
func standbyClientPath(observed []peers.Observation, vd quorum.Verdict, r quorum.Rule) *failover.ClientPath {
	cp := failover.ClientPath{Quorum: vd.Quorum}
	if cp.Quorum == 0 {
		cp.Quorum = r.Quorum
	}
	// One observation per vantage point, its newest, as the quorum counts
	// votes: a vantage point answering twice must not count twice.
	newest := map[string]peers.Observation{}
	var order []string
	for _, o := range observed {
		if o.StandbyClient == nil || !slices.Contains(vd.Counted, o.Vantage) {
			continue
		}
		prev, seen := newest[o.Vantage]
		if !seen {
			order = append(order, o.Vantage)
		}
		if !seen || o.At.After(prev.At) {
			newest[o.Vantage] = o
		}
	}
	for _, id := range order {
		o := newest[id]
		cp.Counted++
		if !o.StandbyClient.OK {
			cp.Failed++
			if cp.Reason == "" {
				cp.Reason = o.StandbyClient.Reason
			}
		}
	}
	if cp.Counted == 0 {
		return nil
	}
	return &cp
}
