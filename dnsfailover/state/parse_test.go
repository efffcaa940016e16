package state

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseAccepts(t *testing.T) {
	want := State{Active: Standby, Gen: 7, Since: since, By: "aws:eu-west-1", Reason: `4/5 down (aws,gcp) "x"`}
	for _, tc := range []struct {
		name string
		txt  string
		want State
	}{
		{"as Format writes", `v=1 active=standby gen=7 since=2026-11-25T17:00:00Z by=aws:eu-west-1 pinned=0 reason="4/5 down (aws,gcp) \"x\""`, want},
		{"any order and whitespace", "\t reason=\"4/5 down (aws,gcp) \\\"x\\\"\"  gen=7\r\nby=aws:eu-west-1 active=standby\tv=1 since=2026-11-25T17:00:00Z  ", want},
		{"unknown keys are ignored", `v=1 next="a b" active=standby gen=7 since=2026-11-25T17:00:00Z by=aws:eu-west-1 ttl=60 reason="4/5 down (aws,gcp) \"x\"" next=again`, want},
		{"quoted and offset values", `v="1" active="standby" gen=7 since=2026-11-25T18:30:00+01:30 by="aws:eu-west-1" pinned="0" reason="4/5 down (aws,gcp) \"x\""`, want},
		{"fractional since is cut to seconds", `v=1 active=standby gen=7 since=2026-11-25T17:00:00.75Z by=aws:eu-west-1 reason="4/5 down (aws,gcp) \"x\""`, want},
		{
			name: "wrapped in quotes as a whole (Cloudflare)",
			txt:  `"v=1 active=standby gen=7 since=2026-11-25T17:00:00Z by=aws:eu-west-1 pinned=0 reason=\"4/5 down (aws,gcp) \\\"x\\\"\""`,
			want: want,
		},
		{
			name: "split into character-strings",
			txt:  ` "v=1 active=standby gen=7 since=2026-11-25T17:00" ":00Z by=aws:eu-west-1 pinned=0 reason=\"4/5 down " "(aws,gcp) \\\"x\\\"\"" `,
			want: want,
		},
		{
			name: "decimal escapes in character-strings",
			txt:  `"v=1\032active=standby gen=7 since=2026-11-25T17:00:00Z by=aws:eu-west-1 reason=\"4/5 down (aws,gcp) \092\"x\092\"\""`,
			want: want,
		},
		{"required keys only", `v=1 active=primary gen=0`, State{Active: Primary}},
		{"empty optional values mean absent", `v=1 active=primary gen=3 since= by= pinned= reason=`, State{Active: Primary, Gen: 3}},
		{"bare reason", `v=1 active=primary gen=3 reason=ok`, State{Active: Primary, Gen: 3, Reason: "ok"}},
		{"pinned", `v=1 active=primary gen=3 pinned=1`, State{Active: Primary, Gen: 3, Pinned: true}},
		{"dwell", `v=1 active=standby gen=3 dwell=20m`, State{Active: Standby, Gen: 3, Dwell: 20 * time.Minute}},
		{"dwell cut to seconds", `v=1 active=standby gen=3 dwell=1.5s`, State{Active: Standby, Gen: 3, Dwell: time.Second}},
		{"empty dwell means absent", `v=1 active=standby gen=3 dwell=`, State{Active: Standby, Gen: 3}},
		{"leading zeros in gen", `v=1 active=primary gen=007`, State{Active: Primary, Gen: 7}},
		{"control characters in reason", "v=1 active=primary gen=1 reason=\"a\nb\"", State{Active: Primary, Gen: 1, Reason: "a b"}},
		{"unknown key given twice", `v=1 x=1 active=primary x=2 gen=1`, State{Active: Primary, Gen: 1}},
		{"escaped other character", `v=1 active=primary gen=1 reason="\a\\"`, State{Active: Primary, Gen: 1, Reason: `a\`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.txt)
			if err != nil {
				t.Fatalf("Parse(%s): %v", tc.txt, err)
			}
			if !equal(got, tc.want) {
				t.Fatalf("Parse(%s):\n got %+v\nwant %+v", tc.txt, got, tc.want)
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("Validate of a parsed state: %v", err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	long := strings.Repeat("x", 41)
	for _, tc := range []struct {
		name string
		txt  string
		want ParseError
		msg  string
	}{
		{
			name: "empty",
			txt:  "",
			want: ParseError{Key: "v", Missing: true, Expected: "v=1"},
			msg:  `state record: key "v" is missing: expected v=1`,
		},
		{
			name: "version 2",
			txt:  `v=2 active=primary gen=1`,
			want: ParseError{Key: "v", Value: "2", Expected: "v=1"},
			msg:  `unsupported state version 2; this switchyard reads v=1`,
		},
		{
			name: "version not a number",
			txt:  `v=one active=primary gen=1`,
			want: ParseError{Key: "v", Value: "one", Expected: "v=1"},
			msg:  `unsupported state version "one"; this switchyard reads v=1`,
		},
		{
			name: "version checked before other keys",
			txt:  `v=2 mode=quorum`,
			want: ParseError{Key: "v", Value: "2", Expected: "v=1"},
			msg:  `unsupported state version 2; this switchyard reads v=1`,
		},
		{
			name: "no active",
			txt:  `v=1 gen=1`,
			want: ParseError{Key: "active", Missing: true, Expected: expectActive},
			msg:  `state record: key "active" is missing: expected primary or standby`,
		},
		{
			name: "bad active",
			txt:  `v=1 active=secondary gen=1`,
			want: ParseError{Key: "active", Value: "secondary", Expected: expectActive},
			msg:  `state record: key "active" has bad value "secondary": expected primary or standby`,
		},
		{
			name: "empty active",
			txt:  `v=1 active= gen=1`,
			want: ParseError{Key: "active", Value: "", Expected: expectActive},
			msg:  `state record: key "active" has bad value "": expected primary or standby`,
		},
		{
			name: "no gen",
			txt:  `v=1 active=primary`,
			want: ParseError{Key: "gen", Missing: true, Expected: expectGen},
			msg:  `state record: key "gen" is missing: expected a decimal generation number from 0 to 18446744073709551615`,
		},
		{
			name: "negative gen",
			txt:  `v=1 active=primary gen=-1`,
			want: ParseError{Key: "gen", Value: "-1", Expected: expectGen},
			msg:  `state record: key "gen" has bad value "-1": expected a decimal generation number from 0 to 18446744073709551615`,
		},
		{
			name: "gen overflows",
			txt:  `v=1 active=primary gen=18446744073709551616`,
			want: ParseError{Key: "gen", Value: "18446744073709551616", Expected: expectGen},
			msg:  `state record: key "gen" has bad value "18446744073709551616": expected a decimal generation number from 0 to 18446744073709551615`,
		},
		{
			name: "bad dwell",
			txt:  `v=1 active=standby gen=1 dwell=forever`,
			want: ParseError{Key: "dwell", Value: "forever", Expected: expectDwell},
			msg:  `state record: key "dwell" has bad value "forever": expected a duration from 0s to 8760h such as 20m0s`,
		},
		{
			name: "negative dwell",
			txt:  `v=1 active=standby gen=1 dwell=-10m`,
			want: ParseError{Key: "dwell", Value: "-10m", Expected: expectDwell},
			msg:  `state record: key "dwell" has bad value "-10m": expected a duration from 0s to 8760h such as 20m0s`,
		},
		{
			name: "dwell over a year",
			txt:  `v=1 active=standby gen=1 dwell=8761h`,
			want: ParseError{Key: "dwell", Value: "8761h", Expected: expectDwell},
			msg:  `state record: key "dwell" has bad value "8761h": expected a duration from 0s to 8760h such as 20m0s`,
		},
		{
			name: "bad since",
			txt:  `v=1 active=primary gen=1 since=2026-11-25`,
			want: ParseError{Key: "since", Value: "2026-11-25", Expected: expectSince},
			msg:  `state record: key "since" has bad value "2026-11-25": expected an RFC 3339 time such as 2026-11-25T17:00:00Z`,
		},
		{
			name: "since past year 9999 in UTC",
			txt:  `v=1 active=primary gen=1 since=9999-12-31T23:00:00-05:00`,
			want: ParseError{Key: "since", Value: "9999-12-31T23:00:00-05:00", Expected: expectSince},
			msg:  `state record: key "since" has bad value "9999-12-31T23:00:00-05:00": expected an RFC 3339 time such as 2026-11-25T17:00:00Z`,
		},
		{
			name: "by with a space",
			txt:  `v=1 active=primary gen=1 by="manual:alice smith"`,
			want: ParseError{Key: "by", Value: "manual:alice smith", Expected: expectBy},
			msg:  `state record: key "by" has bad value "manual:alice smith": expected ` + expectBy,
		},
		{
			name: "bad pinned",
			txt:  `v=1 active=primary gen=1 pinned=true`,
			want: ParseError{Key: "pinned", Value: "true", Expected: expectPinned},
			msg:  `state record: key "pinned" has bad value "true": expected 0 or 1`,
		},
		{
			name: "long bad value is shortened",
			txt:  `v=1 active=` + long + ` gen=1`,
			want: ParseError{Key: "active", Value: strings.Repeat("x", 40) + "…", Expected: expectActive},
			msg:  `state record: key "active" has bad value "` + strings.Repeat("x", 40) + `…": expected primary or standby`,
		},
		{
			name: "known key twice",
			txt:  `v=1 active=primary gen=1 active=standby`,
			want: ParseError{Key: "active", Value: "standby", Expected: "the key only once"},
			msg:  `state record: key "active" has bad value "standby": expected the key only once`,
		},
		{
			name: "word without =",
			txt:  `v=1 active=primary gen=1 pinned`,
			want: ParseError{Value: "pinned", Expected: expectPairs},
			msg:  `state record: bad syntax at "pinned": expected key=value pairs separated by spaces`,
		},
		{
			name: "empty key",
			txt:  `v=1 =primary gen=1`,
			want: ParseError{Value: "=primary", Expected: expectPairs},
			msg:  `state record: bad syntax at "=primary": expected key=value pairs separated by spaces`,
		},
		{
			name: "quote in key",
			txt:  `v=1 ac"tive=primary gen=1`,
			want: ParseError{Value: `ac"tive=primary`, Expected: expectPairs},
			msg:  `state record: bad syntax at "ac\"tive=primary": expected key=value pairs separated by spaces`,
		},
		{
			name: "unterminated quoted value",
			txt:  `v=1 active=primary gen=1 reason="down`,
			want: ParseError{Key: "reason", Value: `"down`, Expected: "a closing double quote"},
			msg:  `state record: key "reason" has bad value "\"down": expected a closing double quote`,
		},
		{
			name: "backslash at the end of a quoted value",
			txt:  `v=1 active=primary gen=1 reason="down\`,
			want: ParseError{Key: "reason", Value: `"down\`, Expected: "a character after the backslash"},
			msg:  `state record: key "reason" has bad value "\"down\\": expected a character after the backslash`,
		},
		{
			name: "text after the closing quote",
			txt:  `v=1 active=primary gen=1 reason="down"now`,
			want: ParseError{Key: "reason", Value: `"down"now`, Expected: "a space after the closing quote"},
			msg:  `state record: key "reason" has bad value "\"down\"now": expected a space after the closing quote`,
		},
		{
			name: "quote inside a bare value",
			txt:  `v=1 active=primary gen=1 reason=do"wn"`,
			want: ParseError{Key: "reason", Value: `do"wn"`, Expected: "a value without double quotes, or one wholly in double quotes"},
			msg:  `state record: key "reason" has bad value "do\"wn\"": expected a value without double quotes, or one wholly in double quotes`,
		},
		{
			name: "unterminated character-string",
			txt:  `"v=1 active=primary gen=1`,
			want: ParseError{Value: `"v=1 active=primary gen=1`, Expected: "a closing double quote in the provider's quoted TXT content"},
			msg:  `state record: bad syntax at "\"v=1 active=primary gen=1": expected a closing double quote in the provider's quoted TXT content`,
		},
		{
			name: "text between character-strings",
			txt:  `"v=1 active=primary" gen=1`,
			want: ParseError{Value: `gen=1`, Expected: "quoted character-strings separated by spaces"},
			msg:  `state record: bad syntax at "gen=1": expected quoted character-strings separated by spaces`,
		},
		{
			name: "bad decimal escape",
			txt:  `"v=1\999 active=primary gen=1"`,
			want: ParseError{Value: `\999 active=primary gen=1"`, Expected: `a \DDD escape of three digits from 000 to 255`},
			msg:  `state record: bad syntax at "\\999 active=primary gen=1\"": expected a \DDD escape of three digits from 000 to 255`,
		},
		{
			name: "backslash at the end of a character-string",
			txt:  `"v=1 active=primary gen=1\`,
			want: ParseError{Value: `"v=1 active=primary gen=1\`, Expected: "a character after the backslash"},
			msg:  `state record: bad syntax at "\"v=1 active=primary gen=1\\": expected a character after the backslash`,
		},
		{
			name: "too long",
			txt:  `v=1 active=primary gen=1 reason="` + strings.Repeat("y", maxInput) + `"`,
			want: ParseError{Value: `v=1 active=primary gen=1 reason="yyyyyyy…`, Expected: "at most 4096 bytes"},
			msg:  `state record: bad syntax at "v=1 active=primary gen=1 reason=\"yyyyyyy…": expected at most 4096 bytes`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.txt)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%s) = %v, want a *ParseError", tc.txt, err)
			}
			if *pe != tc.want {
				t.Errorf("ParseError:\n got %#v\nwant %#v", *pe, tc.want)
			}
			if err.Error() != tc.msg {
				t.Errorf("message:\n got %s\nwant %s", err, tc.msg)
			}
		})
	}
}
