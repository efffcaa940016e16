package state

import (
	"strings"
	"testing"
	"time"
)

func TestHold(t *testing.T) {
	until := time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)
	s, err := Parse(`v=1 active=primary gen=8 since=2026-11-25T17:00:00Z by=manual:ana until=2026-11-25T20:00:00+01:00 pinned=1 reason="hold: migration"`)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Until.Equal(until) || !s.Pinned {
		t.Fatalf("parsed %+v", s)
	}
	if want := "until=2026-11-25T19:00:00Z pinned=1"; !strings.Contains(s.Format(), want) {
		t.Errorf("Format %q lacks %q", s.Format(), want)
	}
	for _, tc := range []struct {
		now         time.Time
		held, ended bool
	}{
		{until.Add(-time.Second), true, false},
		{until, false, true},
		{until.Add(time.Hour), false, true},
	} {
		if s.Held(tc.now) != tc.held || s.HoldEnded(tc.now) != tc.ended {
			t.Errorf("at %s: held %t ended %t, want %t %t", tc.now, s.Held(tc.now), s.HoldEnded(tc.now), tc.held, tc.ended)
		}
	}
	// A record written before holds existed: pinned until an operator acts.
	old, err := Parse(`v=1 active=standby gen=3 by=manual:bob pinned=1 reason="by hand"`)
	if err != nil || !old.Until.IsZero() || !old.Held(until.Add(1000*time.Hour)) || old.HoldEnded(until) {
		t.Errorf("old record: %+v, %v", old, err)
	}
	if _, err := Parse(`v=1 active=primary gen=8 until=2026-11-25T19:00:00Z pinned=0`); err == nil || !strings.Contains(err.Error(), `key "until"`) {
		t.Errorf("until without pinned=1: %v", err)
	}
	if err := (State{Active: Primary, Until: until}).Validate(); err == nil {
		t.Error("Validate accepted until without pinned")
	}
}
