package failover

import (
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

func TestDecide(t *testing.T) {
	now := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	manual := Policy{FailAfter: 3, RecoverAfter: 5, Failback: FailbackManual, MinDwell: 10 * time.Minute}
	auto := manual
	auto.Failback = FailbackAuto

	onPrimary := state.State{Active: state.Primary, Gen: 3, Since: now.Add(-time.Hour), By: "aws:us-east-1"}
	onStandby := state.State{Active: state.Standby, Gen: 4, Since: now.Add(-time.Hour), By: "aws:us-east-1"}
	justSwitched := onStandby
	justSwitched.Since = now.Add(-time.Minute)
	pinned := onPrimary
	pinned.Pinned, pinned.By = true, "manual:alice"

	downOK := &quorum.Verdict{PrimaryDown: true, StandbyUp: true}
	downStandbyBad := &quorum.Verdict{PrimaryDown: true, StandbyUp: false}
	noQuorum := &quorum.Verdict{PrimaryUp: true, StandbyUp: true}
	upOK := &quorum.Verdict{PrimaryUp: true, StandbyUp: true}

	tests := []struct {
		name   string
		policy Policy
		in     Input
		want   Action
		to     state.Side
	}{
		{"healthy primary holds", manual, Input{State: onPrimary}, Hold, ""},
		{"failures below FAIL_AFTER hold", manual, Input{State: onPrimary, PrimaryFails: 2}, Hold, ""},
		{"FAIL_AFTER failures: suspect and poll", manual, Input{State: onPrimary, PrimaryFails: 3}, Poll, state.Standby},
		{"quorum down and standby ok: switch", manual, Input{State: onPrimary, PrimaryFails: 3, Verdict: downOK}, Switch, state.Standby},
		{"no quorum (cut-off prober): refuse", manual, Input{State: onPrimary, PrimaryFails: 9, Verdict: noQuorum}, Refuse, state.Standby},
		{"standby unhealthy: refuse", manual, Input{State: onPrimary, PrimaryFails: 3, Verdict: downStandbyBad}, Refuse, state.Standby},
		{"pinned record is never moved", auto, Input{State: pinned, PrimaryFails: 50, Verdict: downOK}, Hold, ""},
		{"pinned standby is never failed back", auto, Input{State: func() state.State { s := onStandby; s.Pinned = true; return s }(), PrimaryOKs: 50, Verdict: upOK}, Hold, ""},
		{"manual failback stays on standby", manual, Input{State: onStandby, PrimaryOKs: 50, Verdict: upOK, Now: now}, Hold, ""},
		{"auto failback waits for RECOVER_AFTER", auto, Input{State: onStandby, PrimaryOKs: 4, Now: now}, Hold, ""},
		{"auto failback waits for MIN_DWELL", auto, Input{State: justSwitched, PrimaryOKs: 50, Now: now}, Hold, ""},
		{"auto failback polls once recovered and dwelt", auto, Input{State: onStandby, PrimaryOKs: 5, Now: now}, Poll, state.Primary},
		{"auto failback switches on healthy quorum", auto, Input{State: onStandby, PrimaryOKs: 5, Verdict: upOK, Now: now}, Switch, state.Primary},
		{"auto failback refused without healthy quorum", auto, Input{State: onStandby, PrimaryOKs: 5, Verdict: downOK, Now: now}, Refuse, state.Primary},
		{"on standby, primary failures do nothing", auto, Input{State: onStandby, PrimaryFails: 10, Now: now}, Hold, ""},
		{"standby set by hand with no recorded time is never failed back", auto, Input{State: state.State{Active: state.Standby}, PrimaryOKs: 50, Verdict: upOK, Now: now}, Hold, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Decide(tt.policy, tt.in)
			if got.Action != tt.want || got.To != tt.to {
				t.Errorf("Decide = %s to %q (%s), want %s to %q", got.Action, got.To, got.Reason, tt.want, tt.to)
			}
			if got.Reason == "" {
				t.Error("decision has no reason")
			}
		})
	}
}

func TestDwellIsExact(t *testing.T) {
	since := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	p := Policy{FailAfter: 1, RecoverAfter: 1, Failback: FailbackAuto, MinDwell: 10 * time.Minute}
	st := state.State{Active: state.Standby, Since: since}
	if got := Decide(p, Input{State: st, PrimaryOKs: 1, Now: since.Add(10*time.Minute - time.Nanosecond)}); got.Action != Hold {
		t.Errorf("one nanosecond before the dwell ends: %s, want hold", got.Action)
	}
	if got := Decide(p, Input{State: st, PrimaryOKs: 1, Now: since.Add(10 * time.Minute)}); got.Action != Poll {
		t.Errorf("when the dwell ends: %s, want poll", got.Action)
	}
}

func TestFailoverRightAfterAnAutomaticFailbackWaitsForTheDwell(t *testing.T) {
	now := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	p := Policy{FailAfter: 3, RecoverAfter: 5, Failback: FailbackAuto, MinDwell: 10 * time.Minute}
	failedBack := state.State{Active: state.Primary, Gen: 2, Since: now.Add(-time.Minute), By: "aws:us-east-1"}
	tests := []struct {
		name   string
		policy Policy
		st     state.State
		want   Action
	}{
		{"one minute after an automatic failback: hold", p, failedBack, Hold},
		{"after the dwell: poll", p, func() state.State { s := failedBack; s.Since = now.Add(-10 * time.Minute); return s }(), Poll},
		{"put back by an operator: never delayed", p, func() state.State { s := failedBack; s.By = "manual:alice"; return s }(), Poll},
		{"manual failback policy: never delayed", Policy{FailAfter: 3, Failback: FailbackManual, MinDwell: 10 * time.Minute}, failedBack, Poll},
		{"primary since setup (no since): never delayed", p, state.State{Active: state.Primary, By: "setup"}, Poll},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Decide(tt.policy, Input{State: tt.st, PrimaryFails: 3, Now: now})
			if got.Action != tt.want {
				t.Errorf("Decide = %s (%s), want %s", got.Action, got.Reason, tt.want)
			}
		})
	}
}
