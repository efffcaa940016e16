package vantage

import (
	"context"

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
// origins answered. During an outage of the primary nothing can be
// compared, so the last known report stands: it is exactly the report an
// automatic failover must consult.
type parityState struct {
	last *parity.Report
}

// checkParity compares the standby with the primary when both answered
// the canary, keeps the report, and sets r.Parity to the last known one.
func (v *Vantage) checkParity(ctx context.Context, r *Round, obs peers.Observation) {
	if obs.Primary.SHA256 != "" && obs.Standby.SHA256 != "" {
		var rep parity.Report
		if v.o.Parity != nil {
			rep = v.o.Parity.Check(ctx, obs.Primary, obs.Standby)
		} else {
			rep = parity.Compare(obs.Primary, obs.Standby)
		}
		v.mu.Lock()
		prev := v.par.last
		v.par.last = &rep
		v.mu.Unlock()
		switch {
		case !rep.OK && (prev == nil || prev.Reason != rep.Reason):
			v.o.Log.Warn("standby fails parity", "failed", rep.Failed, "reason", rep.Reason, "required", v.o.ParityRequired)
			v.emit(Event{Kind: EventParityFailed, To: state.Standby, Reason: rep.Reason})
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

// gateParity turns an automatic switch to the standby into a refusal when
// parity is required and the last known report failed. Moving back to the
// primary is never held up by the standby's parity. An operator's manual
// move (dnsfailover/manual) does not pass through here and can force it.
func (v *Vantage) gateParity(d failover.Decision) failover.Decision {
	if d.Action != failover.Switch || d.To != state.Standby || !v.o.ParityRequired {
		return d
	}
	v.mu.Lock()
	last := v.par.last
	v.mu.Unlock()
	if last == nil || last.OK {
		return d
	}
	return failover.Decision{Action: failover.Refuse, To: state.Standby,
		Reason: "standby fails parity (SWITCHYARD_PARITY_REQUIRED): " + last.Reason + "; the quorum said: " + d.Reason}
}

// Parity returns the last known parity report, nil before the first
// round in which both origins answered.
func (v *Vantage) Parity() *parity.Report {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.par.last == nil {
		return nil
	}
	cp := *v.par.last
	return &cp
}
