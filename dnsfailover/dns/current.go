package dns

import (
	"fmt"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// UnmanagedError says why a record is not in a state switchyard will act on:
// it points at neither configured target (a person changed it), or its
// state TXT disagrees with where it points. Automation holds rather than
// fight a person; a manual move may still be forced.
type UnmanagedError struct {
	Record string
	Why    string
}

func (e *UnmanagedError) Error() string {
	return fmt.Sprintf("record %s: %s; not touching it", e.Record, e.Why)
}

// Current returns the state the record is in. Before the first switch there
// is no state TXT and the record's content says which side is active. When
// the record is unmanaged it returns the stored state (or the zero State)
// and an *UnmanagedError.
func (s Snapshot) Current(primaryTarget, standbyTarget string) (state.State, error) {
	var side state.Side
	switch {
	case SameTarget(s.Content, primaryTarget):
		side = state.Primary
	case SameTarget(s.Content, standbyTarget):
		side = state.Standby
	default:
		return s.State, &UnmanagedError{Record: s.Name, Why: fmt.Sprintf(
			"it points at %q, which is neither the primary target %q nor the standby target %q",
			s.Content, primaryTarget, standbyTarget)}
	}
	if !s.HasState {
		// Gen is 0, or the generation claim's when the TXT was lost.
		return state.State{Active: side, Gen: s.State.Gen}, nil
	}
	if s.State.Active != side {
		return s.State, &UnmanagedError{Record: s.Name, Why: fmt.Sprintf(
			"it points at the %s target but its state TXT says %s", side, s.State.Active)}
	}
	return s.State, nil
}
