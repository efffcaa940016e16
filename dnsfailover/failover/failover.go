// Package failover is the failover state machine: a pure function from what a
// vantage point knows (the state in DNS, its own consecutive results, the
// quorum verdict once it has asked its peers, the standby's parity, the
// time) to what it should do. Timers, probes and DNS writes live in the
// caller (dnsfailover/vantage); the drill's plan asks the same function.
package failover

import (
	"fmt"
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
	// quorum and the dwell (MinDwell, longer for a flapping origin) on the standby.
	FailbackAuto Failback = "auto"
)

// Policy is the configured behaviour.
type Policy struct {
	FailAfter    int // own consecutive primary failures before asking peers
	RecoverAfter int // own consecutive primary successes before considering failback
	Failback     Failback
	MinDwell     time.Duration // least time on the standby before automatic failback
	// ParityRequired refuses an automatic failover to a standby found
	// missing or differing objects while the primary passed its own check.
	ParityRequired bool
}

// Parity is the standby-parity finding the decision weighs (made from a
// parity.Comparison by the caller).
type Parity struct {
	OK bool
	// PrimaryPassed: the primary passed its own check when the comparison
	// was made. Only then can a difference be blamed on the standby: a
	// primary serving wrong bytes is a primary failure, never a reason to
	// stay on it.
	PrimaryPassed bool
	At            time.Time
	Reason        string
}

// ClientPath is the standby's client-path finding as the quorum saw it
// (dnsfailover/probe.NewClientPath): whether clients asking for the
// record's name would be served by the standby after the switch. The
// primary's client-path check needs no input of its own: the caller counts
// its failure as a failure of the primary (the custom domain broke), so it
// reaches the decision through PrimaryFails and the quorum like any other.
type ClientPath struct {
	// Failed is how many counted votes found the standby failing it, of
	// Counted; Quorum is the votes needed to believe them.
	Failed, Counted, Quorum int
	// Reason is the failing check's reason in words, e.g. "certificate
	// valid for standby.example.org, not assets.example.com".
	Reason string
}

// ClientPathRefusal begins the reason of a switch refused for the
// standby's client path.
const ClientPathRefusal = "standby would not serve clients at the record's name"

// Input is everything the decision depends on.
type Input struct {
	State        state.State // as read from DNS
	PrimaryFails int         // own consecutive failed checks of the primary, newest last
	PrimaryOKs   int         // own consecutive healthy checks of the primary
	// Verdict is nil until the peers have been asked this round. The machine
	// answers AskPeers when it needs one.
	Verdict *quorum.Verdict
	// Parity is the last parity finding, nil when none was made yet.
	Parity *Parity
	// StandbyClientPath is the standby's client-path finding of this
	// round's votes, nil when the check is off or no vote carried it.
	StandbyClientPath *ClientPath
	Now               time.Time
}

// Action is what the caller should do next.
type Action string

const (
	Hold Action = "hold" // nothing to do
	// AskPeers: suspicion. Read DNS afresh, ask every peer for a fresh
	// observation, and call Decide again with the verdict.
	AskPeers Action = "ask_peers"
	Switch   Action = "switch" // write Decision.To with a new generation and Decision.Dwell
	Refuse   Action = "refuse" // a switch was considered and refused; log and tell
)

// Decision is the machine's answer, with the reason in words for logs.
type Decision struct {
	Action Action     `json:"action"`
	To     state.Side `json:"to,omitempty"` // for AskPeers, Switch and Refuse: where traffic would go
	Reason string     `json:"reason"`
	// Dwell, for Switch, is the dwell the new state carries (state.State.Dwell).
	Dwell time.Duration `json:"dwell,omitempty"`
}

// Decide returns what to do given p and in.
func Decide(p Policy, in Input) Decision {
	if in.State.Held(in.Now) {
		if !in.State.Until.IsZero() {
			return Decision{Action: Hold, Reason: fmt.Sprintf("held on %s by %s until %s", in.State.Active, in.State.By, in.State.Until.UTC().Format(time.RFC3339))}
		}
		return Decision{Action: Hold, Reason: fmt.Sprintf("pinned to %s by %s", in.State.Active, in.State.By)}
	}
	// A hold that ran out is no pin: automation resumes by itself.
	if in.State.Active == state.Standby {
		return decideFailback(p, in)
	}
	return decideFailover(p, in)
}

// decideFailover never waits for anything but the evidence: FAIL_AFTER own
// failures and the quorum. Damping a flapping origin lengthens the next
// dwell on the standby (NextDwell); it never holds traffic on a dead primary.
func decideFailover(p Policy, in Input) Decision {
	if in.PrimaryFails < p.FailAfter {
		return Decision{Action: Hold, Reason: fmt.Sprintf("on primary, %d/%d consecutive failures", in.PrimaryFails, p.FailAfter)}
	}
	if in.Verdict == nil {
		return Decision{Action: AskPeers, To: state.Standby,
			Reason: fmt.Sprintf("suspect primary: %d consecutive failures", in.PrimaryFails)}
	}
	v := in.Verdict
	switch {
	case !v.PrimaryDown:
		return Decision{Action: Refuse, To: state.Standby, Reason: "no quorum for primary down: " + v.Reason}
	case !v.StandbyUp:
		return Decision{Action: Refuse, To: state.Standby, Reason: "standby not healthy by quorum: " + v.Reason}
	}
	if cp := in.StandbyClientPath; cp != nil && cp.Quorum > 0 && cp.Failed >= cp.Quorum {
		return Decision{Action: Refuse, To: state.Standby, Reason: fmt.Sprintf(ClientPathRefusal+" (%d/%d vantage points): %s; the quorum said: %s",
			cp.Failed, cp.Counted, cp.Reason, v.Reason)}
	}
	if why, bad := parityDefect(p, in.Parity); bad {
		return Decision{Action: Refuse, To: state.Standby, Reason: why + "; the quorum said: " + v.Reason}
	}
	return Decision{Action: Switch, To: state.Standby, Reason: "primary down: " + v.Reason, Dwell: NextDwell(p, in.State, in.Now)}
}

// parityDefect says whether par blames the standby. A finding made while
// the primary failed its own check blames nobody: the two origins differed
// because the primary was wrong.
func parityDefect(p Policy, par *Parity) (string, bool) {
	if !p.ParityRequired || par == nil || par.OK || !par.PrimaryPassed {
		return "", false
	}
	at := ""
	if !par.At.IsZero() {
		at = " at " + par.At.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("standby defect found while the primary passed its own check%s (SWITCHYARD_PARITY_REQUIRED): %s", at, par.Reason), true
}

// decideFailback waits for RECOVER_AFTER and the dwell: moving to the
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
	dwell := p.Dwell(in.State)
	if dwelt := in.Now.Sub(in.State.Since); dwelt < dwell {
		return Decision{Action: Hold, Reason: fmt.Sprintf("on standby, %s of %s left", (dwell - dwelt).Round(time.Second), p.DwellText(in.State))}
	}
	if in.Verdict == nil {
		return Decision{Action: AskPeers, To: state.Primary, Reason: fmt.Sprintf("primary recovered: %d consecutive healthy", in.PrimaryOKs)}
	}
	if !in.Verdict.PrimaryUp {
		return Decision{Action: Refuse, To: state.Primary, Reason: "no quorum for primary healthy: " + in.Verdict.Reason}
	}
	// The dwell in force travels with the failback: it is the window in
	// which a new failure counts as flapping (NextDwell).
	return Decision{Action: Switch, To: state.Primary, Reason: "primary healthy: " + in.Verdict.Reason, Dwell: dwell}
}
