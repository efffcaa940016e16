package state

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxInput bounds what Parse reads. Format writes at most MaxLen bytes;
// the slack is for providers' quoting and hand-written records, the bound for
// a record that is not ours at all.
const maxInput = 4096

// ParseError says which part of a state record is wrong and what would have
// been accepted. Value is already shortened, so logging it is safe.
type ParseError struct {
	Key      string // the key at fault; "" when the record's syntax is broken
	Value    string // the bad value (or text), shortened; "" when Missing
	Expected string // what would have been accepted
	Missing  bool   // Key is required and absent
}

func (e *ParseError) Error() string {
	switch {
	case e.Key == "v" && !e.Missing:
		v := e.Value
		if _, err := strconv.ParseUint(v, 10, 64); err != nil {
			v = strconv.Quote(v)
		}
		return fmt.Sprintf("unsupported state version %s; this switchyard reads v=%d", v, Version)
	case e.Key == "":
		return fmt.Sprintf("state record: bad syntax at %q: expected %s", e.Value, e.Expected)
	case e.Missing:
		return fmt.Sprintf("state record: key %q is missing: expected %s", e.Key, e.Expected)
	default:
		return fmt.Sprintf("state record: key %q has bad value %q: expected %s", e.Key, e.Value, e.Expected)
	}
}

// What each key accepts, said the same way by Parse and Validate.
const (
	expectVersion = "v=1"
	expectActive  = "primary or standby"
	expectGen     = "a decimal generation number from 0 to 18446744073709551615"
	expectSince   = "an RFC 3339 time such as 2026-11-25T17:00:00Z"
	expectBy      = "a vantage id or manual:<who>, at most 64 printable ASCII characters without spaces, quotes or backslashes"
	expectPinned  = "0 or 1"
	expectDwell   = "a duration from 0s to 8760h such as 20m0s"
	expectPairs   = "key=value pairs separated by spaces"
	expectUntil   = "an RFC 3339 time such as 2026-11-25T19:00:00Z, with pinned=1 (the end of a hold)"
)

// Parse decodes the content of a state TXT record. It reads what Format
// writes, with any whitespace between pairs and the keys in any order, and
// also the content as DNS providers hand it back: wrapped in double quotes as
// a whole (Cloudflare) or split into several quoted character-strings
// `"..." "..."`, which are joined.
//
// v=1, active and gen are required; since, by, dwell, until, pinned and reason are
// optional, and an empty value means the same as an absent key. Unknown keys
// are ignored so that a newer writer can add some. The returned State is
// normalised as Format would write it (see Format), so Format then Parse
// gives it back unchanged. Every error is a *ParseError.
func Parse(txt string) (State, error) {
	if len(txt) > maxInput {
		return State{}, &ParseError{Value: short(txt), Expected: fmt.Sprintf("at most %d bytes", maxInput)}
	}
	if rest := trimSpace(txt); strings.HasPrefix(rest, `"`) {
		joined, err := joinStrings(rest)
		if err != nil {
			return State{}, err
		}
		txt = joined
	}
	pairs, err := splitPairs(txt)
	if err != nil {
		return State{}, err
	}
	return decode(pairs)
}

// decode checks and converts the values of the known keys.
func decode(pairs map[string]string) (State, error) {
	v, ok := pairs["v"]
	if !ok {
		return State{}, &ParseError{Key: "v", Missing: true, Expected: expectVersion}
	}
	if v != strconv.Itoa(Version) {
		return State{}, &ParseError{Key: "v", Value: short(v), Expected: expectVersion}
	}

	var s State
	active, ok := pairs["active"]
	switch {
	case !ok:
		return State{}, &ParseError{Key: "active", Missing: true, Expected: expectActive}
	case !validSide(Side(active)):
		return State{}, &ParseError{Key: "active", Value: short(active), Expected: expectActive}
	}
	s.Active = Side(active)

	gen, ok := pairs["gen"]
	if !ok {
		return State{}, &ParseError{Key: "gen", Missing: true, Expected: expectGen}
	}
	n, err := strconv.ParseUint(gen, 10, 64)
	if err != nil {
		return State{}, &ParseError{Key: "gen", Value: short(gen), Expected: expectGen}
	}
	s.Gen = n

	if since := pairs["since"]; since != "" {
		t, err := time.Parse(time.RFC3339, since)
		if err != nil || !validSince(t) {
			return State{}, &ParseError{Key: "since", Value: short(since), Expected: expectSince}
		}
		s.Since = t
	}

	s.By = pairs["by"]
	if !validBy(s.By) {
		return State{}, &ParseError{Key: "by", Value: short(s.By), Expected: expectBy}
	}

	if dwell := pairs["dwell"]; dwell != "" {
		d, err := time.ParseDuration(dwell)
		if err != nil || !validDwell(d) {
			return State{}, &ParseError{Key: "dwell", Value: short(dwell), Expected: expectDwell}
		}
		s.Dwell = d
	}

	switch pinned := pairs["pinned"]; pinned {
	case "", "0":
	case "1":
		s.Pinned = true
	default:
		return State{}, &ParseError{Key: "pinned", Value: short(pinned), Expected: expectPinned}
	}

	if until := pairs["until"]; until != "" {
		t, err := time.Parse(time.RFC3339, until)
		if err != nil || !validSince(t) || !s.Pinned {
			return State{}, &ParseError{Key: "until", Value: short(until), Expected: expectUntil}
		}
		s.Until = t
	}

	s.Reason = pairs["reason"]
	return s.fitted(), nil
}
