// Package failover is the failover state machine: a pure function from what a
// vantage point knows (the state in DNS, its own consecutive results, the
// quorum verdict once it has asked its peers, the time) to what it should do.
// Timers, probes and DNS writes live in the caller (dnsfailover/vantage).
package failover

import (
	"fmt"
	"strings"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// Failback says who moves traffic back to the primary once it recovers.
type Failback string

const (
	// FailbackManual leaves the record on the standby until an operator moves it.
	FailbackManual Failback = "manual"
	// FailbackAuto moves back after RecoverAfter healthy results, a healthy
	// quorum and MinDwell on the standby.
	FailbackAuto Failback = "auto"
)

// Policy is the configured behaviour.
type Policy struct {
	FailAfter    int // own consecutive primary failures before asking peers
	RecoverAfter int // own consecutive primary successes before considering failback
	Failback     Failback
	MinDwell     time.Duration // least time on the standby before automatic failback
}

// Input is everything the decision depends on.
type Input struct {
	State        state.State // as read from DNS
	PrimaryFails int         // own consecutive failed checks of the primary, newest last
	PrimaryOKs   int         // own consecutive healthy checks of the primary
	// Verdict is nil until the peers have been asked this round. The machine
	// answers Poll when it needs one.
	Verdict *quorum.Verdict
	Now     time.Time
}

// Action is what the caller should do next.
type Action string

const (
	Hold   Action = "hold"   // nothing to do
	Poll   Action = "poll"   // suspicion: read DNS afresh, ask every peer, call again with the verdict
	Switch Action = "switch" // write Decision.To with a new generation
	Refuse Action = "refuse" // a switch was considered and refused; log and tell
)

// Decision is the machine's answer, with the reason in words for logs.
type Decision struct {
	Action Action     `json:"action"`
	To     state.Side `json:"to,omitempty"` // for Switch and Refuse: where traffic would go
	Reason string     `json:"reason"`
}

// Decide returns what to do given p and in.
func Decide(p Policy, in Input) Decision {
	if in.State.Pinned {
		return Decision{Action: Hold, Reason: fmt.Sprintf("pinned to %s by %s", in.State.Active, in.State.By)}
	}
	if in.State.Active == state.Standby {
		return decideFailback(p, in)
	}
	return decideFailover(p, in)
}

func decideFailover(p Policy, in Input) Decision {
	if in.PrimaryFails < p.FailAfter {
		return Decision{Action: Hold, Reason: fmt.Sprintf("on primary, %d/%d consecutive failures", in.PrimaryFails, p.FailAfter)}
	}
	if left, damped := flapping(p, in); damped {
		return Decision{Action: Hold, To: state.Standby, Reason: fmt.Sprintf(
			"on primary since an automatic failback %s ago; %s of MIN_DWELL %s left before automation switches again (a flapping origin)",
			in.Now.Sub(in.State.Since).Round(time.Second), left.Round(time.Second), p.MinDwell)}
	}
	if in.Verdict == nil {
		return Decision{Action: Poll, To: state.Standby,
			Reason: fmt.Sprintf("suspect primary: %d consecutive failures", in.PrimaryFails)}
	}
	v := in.Verdict
	switch {
	case !v.PrimaryDown:
		return Decision{Action: Refuse, To: state.Standby, Reason: "no quorum for primary down: " + v.Reason}
	case !v.StandbyUp:
		return Decision{Action: Refuse, To: state.Standby, Reason: "standby not healthy by quorum: " + v.Reason}
	}
	return Decision{Action: Switch, To: state.Standby, Reason: "primary down: " + v.Reason}
}

// flapping reports whether the record came back to the primary by an
// automatic failback less than MinDwell ago. Automation then makes no new
// switch until the dwell is over: at most one automatic switch per
// MIN_DWELL, so a flapping origin cannot flip the record back and forth.
// Only that case waits: a failover from a primary that has served for
// longer, or that an operator put back by hand, is never delayed.
func flapping(p Policy, in Input) (time.Duration, bool) {
	if p.Failback != FailbackAuto || in.State.Since.IsZero() || strings.HasPrefix(in.State.By, "manual:") {
		return 0, false
	}
	dwelt := in.Now.Sub(in.State.Since)
	return p.MinDwell - dwelt, dwelt < p.MinDwell
}

// decideFailback waits for RECOVER_AFTER and MIN_DWELL: moving to the
// standby fast is the promise, moving back is where flapping would hurt.
func decideFailback(p Policy, in Input) Decision {
	if p.Failback != FailbackAuto {
		return Decision{Action: Hold, Reason: "on standby, failback is manual"}
	}
	if in.State.Since.IsZero() {
		// Put on the standby outside switchyard (no state, no time): how
		// long it has dwelt is unknown, so moving it back is an operator's call.
		return Decision{Action: Hold, Reason: "on standby since an unknown time (no switch recorded); failback is left to an operator"}
	}
	if in.PrimaryOKs < p.RecoverAfter {
		return Decision{Action: Hold, Reason: fmt.Sprintf("on standby, primary %d/%d consecutive healthy", in.PrimaryOKs, p.RecoverAfter)}
	}
	if dwelt := in.Now.Sub(in.State.Since); dwelt < p.MinDwell {
		return Decision{Action: Hold, Reason: fmt.Sprintf("on standby, %s of minimum dwell %s left", (p.MinDwell - dwelt).Round(time.Second), p.MinDwell)}
	}
	if in.Verdict == nil {
		return Decision{Action: Poll, To: state.Primary, Reason: fmt.Sprintf("primary recovered: %d consecutive healthy", in.PrimaryOKs)}
	}
	if !in.Verdict.PrimaryUp {
		return Decision{Action: Refuse, To: state.Primary, Reason: "no quorum for primary healthy: " + in.Verdict.Reason}
	}
	return Decision{Action: Switch, To: state.Primary, Reason: "primary healthy: " + in.Verdict.Reason}
}
