package dns

import (
	"errors"
	"testing"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

func TestCurrent(t *testing.T) {
	const p, s = "primary.example.net", "standby.example.org"
	onStandby := state.State{Active: state.Standby, Gen: 4}
	tests := []struct {
		name      string
		snap      Snapshot
		want      state.Side
		unmanaged bool
	}{
		{"no state yet, on the primary", Snapshot{Content: p}, state.Primary, false},
		{"no state yet, on the standby", Snapshot{Content: s}, state.Standby, false},
		{"state agrees", Snapshot{Content: s, State: onStandby, HasState: true}, state.Standby, false},
		{"state disagrees", Snapshot{Content: p, State: onStandby, HasState: true}, state.Standby, true},
		{"changed by hand", Snapshot{Content: "elsewhere.example.com"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.snap.Current(p, s)
			var u *UnmanagedError
			if errors.As(err, &u) != tt.unmanaged {
				t.Fatalf("err = %v, want unmanaged %v", err, tt.unmanaged)
			}
			if got.Active != tt.want {
				t.Errorf("Active = %q, want %q", got.Active, tt.want)
			}
		})
	}
}

func TestSameTarget(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"Primary.Origin.example.com", "primary.origin.example.com", true},
		{"primary.origin.example.com.", "primary.origin.example.com", true},
		{"2001:DB8:0::10", "2001:db8::10", true},
		{"192.0.2.1", "192.0.2.01", false},
		{"192.0.2.1", "192.0.2.2", false},
		{"primary.example.com", "standby.example.com", false},
	} {
		if got := SameTarget(tt.a, tt.b); got != tt.same {
			t.Errorf("SameTarget(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.same)
		}
	}
}

// A target configured in another case than the API returns must not make
// the record look hand-edited: that would stop every failover.
func TestCurrentIgnoresCaseOfConfiguredTargets(t *testing.T) {
	got, err := Snapshot{Content: "standby.example.org"}.Current("Primary.Example.NET", "Standby.Example.ORG")
	if err != nil || got.Active != state.Standby {
		t.Fatalf("Current = %+v, %v; want standby", got, err)
	}
}
