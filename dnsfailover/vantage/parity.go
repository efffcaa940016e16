package vantage

import (
	"context"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/parity"
	"github.com/switchyard-dns/switchyard/dnsfailover/peers"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// EventParityFailed: the standby failed a parity check (a missing or
// different object). Emitted when parity starts failing or the failing
// keys change, not every round.
const EventParityFailed EventKind = "parity_failed"

// parityState is the last parity report from a round in which both
// origins passed their own checks. Only then can a difference be blamed on
// the standby: a primary serving a maintenance page or a corrupted object
// fails its check, and comparing its body with the standby's would blame
// the standby for the primary's fault. While the primary fails, nothing is
// compared and the last report made while it was healthy stands: it is
// exactly the report an automatic failover must consult.
type parityState struct {
	last          *parity.Comparison
	at            time.Time
	primaryPassed bool
}

// checkParity compares the standby with the primary when both passed
// their checks, keeps the report, and sets r.Parity to the last known one.
func (v *Vantage) checkParity(ctx context.Context, r *Round, obs peers.Observation) {
	if obs.Primary.OK && obs.Standby.OK {
		var rep parity.Comparison
		if v.o.Parity != nil {
			rep = v.o.Parity.Check(ctx, obs.Primary, obs.Standby)
		} else {
			rep = parity.Compare(obs.Primary, obs.Standby)
		}
		v.mu.Lock()
		prev := v.par.last
		v.par = parityState{last: &rep, at: obs.At, primaryPassed: obs.Primary.OK}
		v.mu.Unlock()
		switch {
		case !rep.OK && (prev == nil || prev.Reason != rep.Reason):
			v.o.Log.Warn("standby fails parity", "failed", rep.Failed, "reason", rep.Reason, "required", v.o.Policy.ParityRequired)
			v.emit(Event{Kind: EventParityFailed, To: state.Standby, Reason: rep.Reason})
			v.tellParity(v.o.Record, rep.Reason)
		case rep.OK && prev != nil && !prev.OK:
			v.o.Log.Info("standby parity restored", "reason", rep.Reason)
		}
	}
	v.mu.Lock()
	if v.par.last != nil {
		cp := *v.par.last
		r.Parity = &cp
	}
	v.mu.Unlock()
}

// parityInput is the last known report as the failover decision weighs
// it (failover.Parity), nil before the first comparison.
func (v *Vantage) parityInput() *failover.Parity {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.par.last == nil {
		return nil
	}
	return &failover.Parity{OK: v.par.last.OK, PrimaryPassed: v.par.primaryPassed, At: v.par.at, Reason: v.par.last.Reason}
}

// Parity returns the last known parity report, nil before the first
// round in which both origins passed their checks.
func (v *Vantage) Parity() *parity.Comparison {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.par.last == nil {
		return nil
	}
	cp := *v.par.last
	return &cp
}
