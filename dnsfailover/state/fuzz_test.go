package state

import (
	"errors"
	"testing"
)

// FuzzParse checks that Parse never panics, that it fails only with a
// *ParseError, and that whatever it accepts is a valid State which Format
// writes within MaxLen and Parse then reads back unchanged.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`v=1 active=standby gen=7 since=2026-11-25T17:00:00Z by=aws:eu-west-1 pinned=0 reason="4/5 down (aws,gcp)"`,
		`v=1 active=primary gen=0`,
		`  gen=1 v=1 active=primary pinned=1 reason="a \"b\" \\ c" extra="x y"`,
		`"v=1 active=standby gen=7 reason=\"quoted \\\"twice\\\"\""`,
		`"v=1 active=primary " "gen=2 since=2026-01-01T00:00:00+02:00" "by=gcp:europe-west1"`,
		`"v=1\032active=primary\032gen=3\032reason=\"\195\188\""`,
		`v=2 active=primary gen=1`,
		`v=1 active=primary gen=1 reason="` + "\xff\x00\n日本🦆" + `"`,
		`v=1 active=primary gen=18446744073709551615 by=manual:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa reason="` +
			`""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""""`,
		`v=1 active=primary gen=1 since=0001-01-01T00:00:00Z`,
		`v=1 active=standby gen=4 since=2026-11-25T17:00:00Z by=aws:us-east-1 dwell=1h20m0s pinned=0 reason="flapping"`,
		`v=1 active=standby gen=4 dwell=8759h59m59.999s`,
		`v=1 active=standby gen=4 dwell=-0s`,
		`v=1 active=primary gen=1 reason="unterminated`,
		`v=1 active=primary gen=8 since=2026-11-25T17:00:00Z by=manual:ana until=2026-11-25T19:00:00Z pinned=1 reason="hold: migration"`,
		`v=1 active=primary gen=8 until=2026-11-25T19:00:00+02:00 pinned=0`,
		``,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, txt string) {
		s, err := Parse(txt)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) failed with %T %v, want *ParseError", txt, err, err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("Parse(%q) accepted an invalid state %+v: %v", txt, s, err)
		}
		out := s.Format()
		if len(out) > MaxLen {
			t.Fatalf("Format wrote %d bytes, more than %d: %q", len(out), MaxLen, out)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q) accepted, but Parse of its Format %q: %v", txt, out, err)
		}
		if !equal(again, s) {
			t.Fatalf("round trip of %q through %q:\n got %+v\nwant %+v", txt, out, again, s)
		}
	})
}
