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
