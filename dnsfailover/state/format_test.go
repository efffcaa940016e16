package state

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var since = time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)

func TestFormatExample(t *testing.T) {
	s := State{Active: Standby, Gen: 7, Since: since, By: "aws:eu-west-1", Reason: "4/5 down (aws,gcp)"}
	const want = `v=1 active=standby gen=7 since=2026-11-25T17:00:00Z by=aws:eu-west-1 pinned=0 reason="4/5 down (aws,gcp)"`
	if got := s.Format(); got != want {
		t.Fatalf("Format:\n got %s\nwant %s", got, want)
	}
}

func TestRoundTrip(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	for _, tc := range []struct {
		name string
		in   State
		txt  string // what Format must write
		out  State  // what Parse must return
	}{
		{
			name: "primary, zero values",
			in:   State{Active: Primary},
			txt:  `v=1 active=primary gen=0 pinned=0 reason=""`,
			out:  State{Active: Primary},
		},
		{
			name: "manual pin",
			in:   State{Active: Standby, Gen: 12, Since: since, By: "manual:alice@example.com", Pinned: true, Reason: "S3 errors"},
			txt:  `v=1 active=standby gen=12 since=2026-11-25T17:00:00Z by=manual:alice@example.com pinned=1 reason="S3 errors"`,
			out:  State{Active: Standby, Gen: 12, Since: since, By: "manual:alice@example.com", Pinned: true, Reason: "S3 errors"},
		},
		{
			name: "damped dwell",
			in:   State{Active: Standby, Gen: 9, Since: since, By: "aws:us-east-1", Dwell: 40 * time.Minute, Reason: "primary down"},
			txt:  `v=1 active=standby gen=9 since=2026-11-25T17:00:00Z by=aws:us-east-1 dwell=40m0s pinned=0 reason="primary down"`,
			out:  State{Active: Standby, Gen: 9, Since: since, By: "aws:us-east-1", Dwell: 40 * time.Minute, Reason: "primary down"},
		},
		{
			name: "dwell becomes whole seconds",
			in:   State{Active: Standby, Gen: 9, Dwell: 90*time.Second + 999*time.Millisecond},
			txt:  `v=1 active=standby gen=9 dwell=1m30s pinned=0 reason=""`,
			out:  State{Active: Standby, Gen: 9, Dwell: 90 * time.Second},
		},
		{
			name: "quotes and backslashes are escaped",
			in:   State{Active: Primary, Gen: 1, By: "gcp:europe-west1", Reason: `said "down" at C:\x`},
			txt:  `v=1 active=primary gen=1 by=gcp:europe-west1 pinned=0 reason="said \"down\" at C:\\x"`,
			out:  State{Active: Primary, Gen: 1, By: "gcp:europe-west1", Reason: `said "down" at C:\x`},
		},
		{
			name: "since becomes UTC whole seconds",
			in:   State{Active: Primary, Gen: 2, Since: time.Date(2026, 11, 25, 18, 0, 0, 999, paris)},
			txt:  `v=1 active=primary gen=2 since=2026-11-25T17:00:00Z pinned=0 reason=""`,
			out:  State{Active: Primary, Gen: 2, Since: since},
		},
		{
			name: "control characters become spaces, bad UTF-8 U+FFFD",
			in:   State{Active: Primary, Gen: 3, Reason: "a\nb\tc\x00d\xffe"},
			txt:  "v=1 active=primary gen=3 pinned=0 reason=\"a b c d\uFFFDe\"",
			out:  State{Active: Primary, Gen: 3, Reason: "a b c d\uFFFDe"},
		},
		{
			name: "largest generation",
			in:   State{Active: Standby, Gen: 18446744073709551615, Reason: "ü"},
			txt:  `v=1 active=standby gen=18446744073709551615 pinned=0 reason="ü"`,
			out:  State{Active: Standby, Gen: 18446744073709551615, Reason: "ü"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			txt := tc.in.Format()
			if txt != tc.txt {
				t.Fatalf("Format:\n got %s\nwant %s", txt, tc.txt)
			}
			got, err := Parse(txt)
			if err != nil {
				t.Fatalf("Parse(%s): %v", txt, err)
			}
			if !equal(got, tc.out) {
				t.Fatalf("Parse(%s):\n got %+v\nwant %+v", txt, got, tc.out)
			}
			if again := got.Format(); again != txt {
				t.Fatalf("Format after Parse:\n got %s\nwant %s", again, txt)
			}
		})
	}
}

func TestFormatFitsOneString(t *testing.T) {
	longBy := "manual:" + strings.Repeat("b", MaxBy-len("manual:"))
	for _, tc := range []struct {
		name   string
		reason string
	}{
		{"ascii", strings.Repeat("x", 400)},
		{"quotes double in size", strings.Repeat(`"`, 400)},
		{"backslashes", strings.Repeat(`\`, 300)},
		{"multi-byte runes", strings.Repeat("日本", 200)},
		{"four-byte runes", strings.Repeat("🦆", 100)},
		{"mixed", strings.Repeat(`é"\😀a`, 80)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := State{Active: Standby, Gen: 18446744073709551615, Since: since, By: longBy, Pinned: true, Reason: tc.reason}
			txt := s.Format()
			if len(txt) > MaxLen {
				t.Fatalf("Format wrote %d bytes, more than %d: %s", len(txt), MaxLen, txt)
			}
			// Only a few bytes of room may be left unused: a rune of at most
			// four bytes, doubled if it is a quote.
			if len(txt) < MaxLen-4 {
				t.Errorf("Format wrote %d bytes; the reason was cut more than needed: %s", len(txt), txt)
			}
			got, err := Parse(txt)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !utf8.ValidString(got.Reason) || !strings.HasSuffix(got.Reason, ellipsis) {
				t.Errorf("reason %q: want valid UTF-8 ending in %q", got.Reason, ellipsis)
			}
			if !strings.HasPrefix(tc.reason, strings.TrimSuffix(got.Reason, ellipsis)) {
				t.Errorf("reason %q is not a prefix of the original", got.Reason)
			}
			if again := got.Format(); again != txt {
				t.Errorf("a cut reason must be stable:\n got %s\nwant %s", again, txt)
			}
		})
	}
}

func TestNext(t *testing.T) {
	later := since.Add(90*time.Minute + 500*time.Millisecond)
	cur := State{Active: Primary, Gen: 4, Since: since, By: "aws:us-east-1", Reason: "recovered"}
	for _, tc := range []struct {
		name   string
		active Side
		pinned bool
		want   State
	}{
		{
			name:   "switch moves since to now, rounded up to the second so a dwell is never cut short",
			active: Standby,
			want:   State{Active: Standby, Gen: 5, Since: since.Add(90*time.Minute + time.Second), By: "gcp:europe-west1", Reason: "r"},
		},
		{
			name:   "same side keeps since",
			active: Primary,
			pinned: true,
			want:   State{Active: Primary, Gen: 5, Since: since, By: "gcp:europe-west1", Pinned: true, Reason: "r"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := cur.Next(tc.active, "gcp:europe-west1", "r", tc.pinned, later.In(time.FixedZone("X", -7200)))
			if !equal(got, tc.want) || got.Since.Location() != time.UTC {
				t.Fatalf("Next:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    State
		want string // "" for valid
	}{
		{"valid", State{Active: Standby, Gen: 1, Since: since, By: "aws:us-east-1", Reason: "any \"thing\"\n"}, ""},
		{"empty by is a hand-seeded record", State{Active: Primary}, ""},
		{"no active", State{}, `state: active "": expected primary or standby`},
		{"bad active", State{Active: "Standby"}, `state: active "Standby": expected primary or standby`},
		{"by with space", State{Active: Primary, By: "manual:alice smith"}, `state: by "manual:alice smith": expected ` + expectBy},
		{"by with quote", State{Active: Primary, By: `a"b`}, `state: by "a\"b": expected ` + expectBy},
		{"by with backslash", State{Active: Primary, By: `a\b`}, `state: by "a\\b": expected ` + expectBy},
		{"by not ASCII", State{Active: Primary, By: "manual:josé"}, `state: by "manual:josé": expected ` + expectBy},
		{"by too long", State{Active: Primary, By: strings.Repeat("a", MaxBy+1)}, `state: by "` + strings.Repeat("a", 40) + `…": expected ` + expectBy},
		{"since year 10000", State{Active: Primary, Since: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, "state: since 10000-01-01T00:00:00Z: expected a time between years 0001 and 9999"},
		{"longest dwell", State{Active: Standby, Dwell: maxDwell}, ""},
		{"negative dwell", State{Active: Standby, Dwell: -time.Second}, "state: dwell -1s: expected " + expectDwell},
		{"dwell over a year", State{Active: Standby, Dwell: maxDwell + time.Second}, "state: dwell 8760h0m1s: expected " + expectDwell},
		{"every problem at once", State{Active: "x", By: " "}, "state: active \"x\": expected primary or standby\nstate: by \" \": expected " + expectBy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.s.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate: %v, want nil", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Fatalf("Validate:\n got %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestRecordName(t *testing.T) {
	if got := RecordName("assets.example.com"); got != "_switchyard.assets.example.com" {
		t.Fatalf("RecordName = %q", got)
	}
}

// equal compares states with time.Time.Equal, which == does not do.
func equal(a, b State) bool {
	return a.Active == b.Active && a.Gen == b.Gen && a.Since.Equal(b.Since) &&
		a.By == b.By && a.Pinned == b.Pinned && a.Dwell == b.Dwell && a.Until.Equal(b.Until) && a.Reason == b.Reason
}
