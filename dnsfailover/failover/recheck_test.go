package failover

import (
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

func TestRecheck(t *testing.T) {
	now := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	p := Policy{FailAfter: 3, RecoverAfter: 5, Failback: FailbackAuto, MinDwell: 10 * time.Minute}
	onPrimary := state.State{Active: state.Primary, Since: now.Add(-time.Hour), By: "aws:us-east-1"}
	onStandby := state.State{Active: state.Standby, Since: now.Add(-time.Hour), By: "aws:us-east-1"}
	pinned := onPrimary
	pinned.Pinned, pinned.By = true, "manual:alice"
	failedBack := onPrimary
	failedBack.Since = now.Add(-time.Minute)

	tests := []struct {
		name string
		in   Input
		want bool
	}{
		{"healthy primary: regular interval", Input{State: onPrimary, PrimaryOKs: 7}, false},
		{"first failure: re-check fast", Input{State: onPrimary, PrimaryFails: 1}, true},
		{"second failure: re-check fast", Input{State: onPrimary, PrimaryFails: 2}, true},
		{"FAIL_AFTER reached: peers are asked each regular round", Input{State: onPrimary, PrimaryFails: 3}, false},
		{"far beyond FAIL_AFTER (cut-off prober): regular interval", Input{State: onPrimary, PrimaryFails: 40}, false},
		{"on the standby: primary failures change nothing", Input{State: onStandby, PrimaryFails: 1}, false},
		{"on the standby, primary recovering: no fast recovery", Input{State: onStandby, PrimaryOKs: 1}, false},
		{"pinned: automation never moves it", Input{State: pinned, PrimaryFails: 1}, false},
		{"right after an automatic failback: re-check fast (damping never delays a failover)", Input{State: failedBack, PrimaryFails: 1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Now = now
			if got := Recheck(p, tt.in); got != tt.want {
				t.Errorf("Recheck = %v, want %v", got, tt.want)
			}
		})
	}
}
