package failover

import (
	"fmt"
	"strings"
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
		{"FAIL_AFTER failures: suspect and ask peers", manual, Input{State: onPrimary, PrimaryFails: 3}, AskPeers, state.Standby},
		{"quorum down and standby ok: switch", manual, Input{State: onPrimary, PrimaryFails: 3, Verdict: downOK}, Switch, state.Standby},
		{"no quorum (cut-off prober): refuse", manual, Input{State: onPrimary, PrimaryFails: 9, Verdict: noQuorum}, Refuse, state.Standby},
		{"standby unhealthy: refuse", manual, Input{State: onPrimary, PrimaryFails: 3, Verdict: downStandbyBad}, Refuse, state.Standby},
		{"pinned record is never moved", auto, Input{State: pinned, PrimaryFails: 50, Verdict: downOK}, Hold, ""},
		{"pinned standby is never failed back", auto, Input{State: func() state.State { s := onStandby; s.Pinned = true; return s }(), PrimaryOKs: 50, Verdict: upOK}, Hold, ""},
		{"manual failback stays on standby", manual, Input{State: onStandby, PrimaryOKs: 50, Verdict: upOK, Now: now}, Hold, ""},
		{"auto failback waits for RECOVER_AFTER", auto, Input{State: onStandby, PrimaryOKs: 4, Now: now}, Hold, ""},
		{"auto failback waits for MIN_DWELL", auto, Input{State: justSwitched, PrimaryOKs: 50, Now: now}, Hold, ""},
		{"auto failback asks peers once recovered and dwelt", auto, Input{State: onStandby, PrimaryOKs: 5, Now: now}, AskPeers, state.Primary},
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
	if got := Decide(p, Input{State: st, PrimaryOKs: 1, Now: since.Add(10 * time.Minute)}); got.Action != AskPeers {
		t.Errorf("when the dwell ends: %s, want ask_peers", got.Action)
	}
}

// TestFailoverRightAfterAnAutomaticFailbackIsNotDelayed: damping never
// holds traffic on a dead primary. Whoever put the primary back and however
// recently, FAIL_AFTER failures and a quorum switch at once.
func TestFailoverRightAfterAnAutomaticFailbackIsNotDelayed(t *testing.T) {
	now := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	p := Policy{FailAfter: 3, RecoverAfter: 5, Failback: FailbackAuto, MinDwell: 10 * time.Minute}
	failedBack := state.State{Active: state.Primary, Gen: 2, Since: now.Add(-time.Minute), By: "aws:us-east-1"}
	downOK := &quorum.Verdict{PrimaryDown: true, StandbyUp: true, Reason: "4/4 down"}
	for _, st := range []state.State{
		failedBack,
		func() state.State { s := failedBack; s.Since = now.Add(-time.Second); return s }(),
		func() state.State { s := failedBack; s.By = "manual:alice"; return s }(),
		{Active: state.Primary, By: "setup"},
	} {
		if got := Decide(p, Input{State: st, PrimaryFails: 3, Now: now}); got.Action != AskPeers {
			t.Errorf("%s: Decide = %s (%s), want ask_peers", st.Format(), got.Action, got.Reason)
		}
		if got := Decide(p, Input{State: st, PrimaryFails: 3, Verdict: downOK, Now: now}); got.Action != Switch || got.To != state.Standby {
			t.Errorf("%s: Decide with a down quorum = %s to %q (%s), want switch to standby", st.Format(), got.Action, got.To, got.Reason)
		}
	}
}

// TestParityGate: parity refuses an automatic failover only for a defect of
// the standby found while the primary passed its own check, and says so.
func TestParityGate(t *testing.T) {
	now := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	required := Policy{FailAfter: 3, RecoverAfter: 5, Failback: FailbackAuto, MinDwell: 10 * time.Minute, ParityRequired: true}
	notRequired := required
	notRequired.ParityRequired = false
	onPrimary := state.State{Active: state.Primary, Gen: 3, Since: now.Add(-time.Hour), By: "aws:us-east-1"}
	onStandby := state.State{Active: state.Standby, Gen: 4, Since: now.Add(-time.Hour), By: "aws:us-east-1"}
	downOK := &quorum.Verdict{PrimaryDown: true, StandbyUp: true, Reason: "4/4 down"}
	upOK := &quorum.Verdict{PrimaryUp: true, StandbyUp: true, Reason: "4/4 up"}
	standbyDefect := &Parity{OK: false, PrimaryPassed: true, At: now.Add(-time.Minute), Reason: "img/logo.png missing"}
	primaryWrong := &Parity{OK: false, PrimaryPassed: false, At: now, Reason: "(canary) different"}
	same := &Parity{OK: true, PrimaryPassed: true, Reason: "2/2 objects the same"}

	tests := []struct {
		name   string
		policy Policy
		in     Input
		want   Action
		reason string // a part of the reason, when it matters
	}{
		{"standby defect found while the primary passed: refuse", required,
			Input{State: onPrimary, PrimaryFails: 3, Verdict: downOK, Parity: standbyDefect, Now: now}, Refuse,
			"standby defect found while the primary passed its own check at 2026-11-25T16:59:00Z (SWITCHYARD_PARITY_REQUIRED): img/logo.png missing; the quorum said: 4/4 down"},
		{"report made while the primary failed never blocks", required,
			Input{State: onPrimary, PrimaryFails: 3, Verdict: downOK, Parity: primaryWrong, Now: now}, Switch, "primary down"},
		{"parity the same: switch", required,
			Input{State: onPrimary, PrimaryFails: 3, Verdict: downOK, Parity: same, Now: now}, Switch, ""},
		{"no parity report yet: switch", required,
			Input{State: onPrimary, PrimaryFails: 3, Verdict: downOK, Now: now}, Switch, ""},
		{"parity not required: switch despite a defect", notRequired,
			Input{State: onPrimary, PrimaryFails: 3, Verdict: downOK, Parity: standbyDefect, Now: now}, Switch, ""},
		{"no quorum is said before parity", required,
			Input{State: onPrimary, PrimaryFails: 3, Verdict: upOK, Parity: standbyDefect, Now: now}, Refuse, "no quorum for primary down"},
		{"parity is asked only with a verdict", required,
			Input{State: onPrimary, PrimaryFails: 3, Parity: standbyDefect, Now: now}, AskPeers, ""},
		{"failback is never held by the standby's parity", required,
			Input{State: onStandby, PrimaryOKs: 5, Verdict: upOK, Parity: standbyDefect, Now: now}, Switch, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Decide(tt.policy, tt.in)
			if got.Action != tt.want || !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("Decide = %s (%s), want %s with %q", got.Action, got.Reason, tt.want, tt.reason)
			}
		})
	}
}

// A standby that would not serve clients at the record's name (the custom
// domain never attached) is no place to send them: by quorum, the switch
// is refused with the check's reason; a minority finding does not refuse.
func TestDecideStandbyClientPath(t *testing.T) {
	p := Policy{FailAfter: 3, RecoverAfter: 5, Failback: FailbackManual}
	onPrimary := state.State{Active: state.Primary, Gen: 3}
	down := &quorum.Verdict{PrimaryDown: true, StandbyUp: true, Reason: "3/3 down"}
	reason := "certificate valid for standby.example.org, not assets.example.com"
	for _, tc := range []struct {
		name string
		cp   *ClientPath
		want Action
	}{
		{"no finding (check off)", nil, Switch},
		{"every vantage finds it serves clients", &ClientPath{Failed: 0, Counted: 3, Quorum: 2}, Switch},
		{"a minority finds it failing", &ClientPath{Failed: 1, Counted: 3, Quorum: 2, Reason: reason}, Switch},
		{"the quorum finds it failing", &ClientPath{Failed: 2, Counted: 3, Quorum: 2, Reason: reason}, Refuse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(p, Input{State: onPrimary, PrimaryFails: 3, Verdict: down, StandbyClientPath: tc.cp})
			if d.Action != tc.want {
				t.Fatalf("Decide = %s (%s), want %s", d.Action, d.Reason, tc.want)
			}
			if d.Action == Refuse && (!strings.Contains(d.Reason, reason) || !strings.Contains(d.Reason, "would not serve clients")) {
				t.Errorf("refusal %q does not say why", d.Reason)
			}
		})
	}
}

// TestHoldExpires: a maintenance hold keeps automation off until its end,
// and from then on the record is automation's again, with no operator.
func TestHoldExpires(t *testing.T) {
	p := Policy{FailAfter: 3, RecoverAfter: 5, Failback: FailbackManual, MinDwell: 10 * time.Minute}
	until := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	st := state.State{Active: state.Primary, Gen: 4, By: "manual:ana", Pinned: true, Until: until}
	in := Input{State: st, PrimaryFails: 3}
	in.Now = until.Add(-time.Second)
	if d := Decide(p, in); d.Action != Hold || !strings.Contains(d.Reason, "until 2026-11-29T12:00:00Z") {
		t.Errorf("during the hold: %+v", d)
	}
	if Recheck(p, Input{State: st, PrimaryFails: 1, Now: in.Now}) {
		t.Error("fast re-checks during the hold")
	}
	in.Now = until
	if d := Decide(p, in); d.Action != AskPeers || d.To != state.Standby {
		t.Errorf("after the hold: %+v, want to ask peers about the failing primary", d)
	}
	st.Until = time.Time{}
	if d := Decide(p, Input{State: st, PrimaryFails: 3, Now: until.Add(1000 * time.Hour)}); d.Action != Hold {
		t.Errorf("a pin without until: %+v", d)
	}
}

// TestHoldUnderClockSkew: a vantage point whose clock is off by skew, at
// most CLOCK_SKEW either way, ends a hold at until − skew true time, so
// never earlier than until − CLOCK_SKEW, and ends it for good.
//
// Why that bound holds: until is an absolute UTC time in the state TXT,
// written once by the operator's `hold --for` (rounded up to a whole
// second, never shorter than asked), so it carries no clock but the
// writer's. Each vantage point compares it with its own clock alone
// (state.Held in Decide, and state.HoldEnded when it tells of the end):
// nothing about the hold passes between vantage points, so skews neither
// add up nor reach another's decision, and a clock ahead by skew sees
// until exactly skew early. The quorum asked after that is about the
// origins' health, not about the hold; it can delay the switch, never
// bring it forward. A clock behind ends the hold late by as much, which
// automation tolerates (the other vantage points end it on time).
func TestHoldUnderClockSkew(t *testing.T) {
	const clockSkew = 30 * time.Second // SWITCHYARD_CLOCK_SKEW's default
	const step = 50 * time.Millisecond
	p := Policy{FailAfter: 3, RecoverAfter: 5, Failback: FailbackManual, MinDwell: 10 * time.Minute}
	until := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	st := state.State{Active: state.Primary, Gen: 4, By: "manual:ana", Pinned: true, Until: until}
	for _, skew := range []time.Duration{-clockSkew, -time.Second, -step, 0, step, time.Second, 29*time.Second + 950*time.Millisecond, clockSkew} {
		t.Run(fmt.Sprint("skew ", skew), func(t *testing.T) {
			var ended time.Time // the first true time at which the skewed vantage point does not hold
			for now := until.Add(-2 * clockSkew); !now.After(until.Add(2 * clockSkew)); now = now.Add(step) {
				seen := now.Add(skew) // the vantage point's clock
				d := Decide(p, Input{State: st, PrimaryFails: 3, Now: seen})
				held := d.Action == Hold
				if held == st.HoldEnded(seen) {
					t.Fatalf("true time %s: Decide holds %t but HoldEnded says %t: the end told and the end acted on differ",
						now.Format(time.RFC3339Nano), held, st.HoldEnded(seen))
				}
				switch {
				case !held && ended.IsZero():
					ended = now
					if d.Action != AskPeers || d.To != state.Standby {
						t.Errorf("at the hold's end: %+v, want to ask peers about the failing primary", d)
					}
				case held && !ended.IsZero():
					t.Fatalf("held again at true time %s after ending at %s", now.Format(time.RFC3339Nano), ended.Format(time.RFC3339Nano))
				}
			}
			if ended.IsZero() {
				t.Fatalf("the hold never ended within %s of until", 2*clockSkew)
			}
			if early := until.Sub(ended); ended.Before(until.Add(-clockSkew)) || early > max(skew, 0) {
				t.Errorf("ended at true time %s, %s before until: more than the skew %s (CLOCK_SKEW %s)", ended.Format(time.RFC3339Nano), early, skew, clockSkew)
			}
			if want := until.Add(-skew); !ended.Equal(want) {
				t.Errorf("ended at true time %s, want exactly until − skew = %s", ended.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
			}
		})
	}
}
