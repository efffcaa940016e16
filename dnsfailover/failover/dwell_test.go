package failover

import (
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

func TestNextDwell(t *testing.T) {
	now := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	const m = time.Minute
	p := Policy{FailAfter: 3, RecoverAfter: 5, Failback: FailbackAuto, MinDwell: 10 * m}
	back := func(ago, dwell time.Duration) state.State {
		return state.State{Active: state.Primary, Gen: 4, Since: now.Add(-ago), By: "aws:us-east-1", Dwell: dwell}
	}
	tests := []struct {
		name string
		st   state.State
		want time.Duration
	}{
		{"failed 1m after a failback with MIN_DWELL: doubled", back(m, 0), 20 * m},
		{"failed 19m after a failback that waited 20m: doubled again", back(19*m, 20*m), 40 * m},
		{"doubling stops at the cap", back(m, 40*m), 80 * m},
		{"at the cap it stays there", back(m, 80*m), 80 * m},
		{"a dwell beyond the cap (MIN_DWELL lowered) is capped", back(m, 10*time.Hour), 80 * m},
		{"the window is the failback's own dwell: 20m later is not flapping", back(20*m, 20*m), 10 * m},
		{"served longer than the dwell: back to MIN_DWELL", back(time.Hour, 40*m), 10 * m},
		{"put back by an operator: dwell kept", func() state.State { s := back(m, 40*m); s.By = "manual:alice"; return s }(), 40 * m},
		{"never switched: MIN_DWELL", state.State{Active: state.Primary, By: "setup"}, 10 * m},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NextDwell(p, tt.st, now); got != tt.want {
				t.Errorf("NextDwell = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestFlappingOriginDoublesTheDwell plays a flapping origin through Decide:
// every failover is immediate, each failback waits twice as long as the
// one before, up to the cap, and the dwell travels in the state.
func TestFlappingOriginDoublesTheDwell(t *testing.T) {
	const m = time.Minute
	p := Policy{FailAfter: 3, RecoverAfter: 5, Failback: FailbackAuto, MinDwell: 10 * m}
	now := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	st := state.State{Active: state.Primary, Gen: 0, By: "setup"}
	down := &quorum.Verdict{PrimaryDown: true, StandbyUp: true, Reason: "down"}
	up := &quorum.Verdict{PrimaryUp: true, StandbyUp: true, Reason: "up"}
	apply := func(d Decision) {
		t.Helper()
		if d.Action != Switch {
			t.Fatalf("at %s: %s (%s), want switch", now.Format("15:04"), d.Action, d.Reason)
		}
		st = st.Next(d.To, "aws:us-east-1", d.Reason, false, now)
		st.Dwell = d.Dwell
		if _, err := state.Parse(st.Format()); err != nil {
			t.Fatal(err)
		}
	}
	for i, wantDwell := range []time.Duration{10 * m, 20 * m, 40 * m, 80 * m, 80 * m} {
		// The primary fails a minute after it came back: failover at once.
		now = now.Add(m)
		apply(Decide(p, Input{State: st, PrimaryFails: 3, Verdict: down, Now: now}))
		if i == 0 && st.Dwell != 10*m {
			t.Fatalf("first failover wrote dwell %s, want MIN_DWELL", st.Dwell)
		}
		if got := p.Dwell(st); got != wantDwell {
			t.Fatalf("failover %d: dwell %s, want %s", i+1, got, wantDwell)
		}
		// One second short of the dwell: hold; at the dwell: fail back.
		now = now.Add(wantDwell - time.Second)
		if d := Decide(p, Input{State: st, PrimaryOKs: 5, Verdict: up, Now: now}); d.Action != Hold {
			t.Fatalf("failover %d: %s before the dwell of %s ended (%s), want hold", i+1, d.Action, wantDwell, d.Reason)
		}
		now = now.Add(time.Second)
		apply(Decide(p, Input{State: st, PrimaryOKs: 5, Verdict: up, Now: now}))
	}
	// Stable for longer than the dwell: the next failover starts afresh.
	now = now.Add(2 * time.Hour)
	apply(Decide(p, Input{State: st, PrimaryFails: 3, Verdict: down, Now: now}))
	if st.Dwell != 10*m {
		t.Fatalf("after a stable primary the dwell is %s, want MIN_DWELL", st.Dwell)
	}
}

func TestDwellText(t *testing.T) {
	p := Policy{MinDwell: 10 * time.Minute}
	for dwell, want := range map[time.Duration]string{
		0:                "dwell 10m0s (MIN_DWELL)",
		20 * time.Minute: "dwell 20m0s (MIN_DWELL 10m0s doubled once after flapping, cap 1h20m0s)",
		40 * time.Minute: "dwell 40m0s (MIN_DWELL 10m0s doubled twice after flapping, cap 1h20m0s)",
		80 * time.Minute: "dwell 1h20m0s (MIN_DWELL 10m0s doubled 3 times after flapping, cap 1h20m0s)",
	} {
		if got := p.DwellText(state.State{Dwell: dwell}); got != want {
			t.Errorf("DwellText(%s) = %q, want %q", dwell, got, want)
		}
	}
}
