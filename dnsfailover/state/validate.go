package state

import (
	"errors"
	"fmt"
	"time"
)

// MaxBy bounds By (who wrote: a vantage id, manual:NAME, drill:NAME) so
// that the fixed part of the encoding always leaves room for a reason
// within MaxLen. config refuses a SWITCHYARD_VANTAGE longer than this.
const MaxBy = 64

// Validate reports every problem that would make s unsafe to write: an
// Active that is not primary or standby, a By that is too long or holds
// spaces, quotes, backslashes or non-ASCII bytes, or a Since that cannot be
// written as a four-digit-year RFC 3339 time, or a Dwell outside 0 to
// maxDwell. An empty By (a record seeded
// by hand) is allowed. The reason needs no check: Format cleans and shortens
// it. Every State that Parse returns passes Validate.
func (s State) Validate() error {
	var errs []error
	if !validSide(s.Active) {
		errs = append(errs, fmt.Errorf("state: active %q: expected %s", short(string(s.Active)), expectActive))
	}
	if !validBy(s.By) {
		errs = append(errs, fmt.Errorf("state: by %q: expected %s", short(s.By), expectBy))
	}
	if !s.Since.IsZero() && !validSince(s.Since) {
		errs = append(errs, fmt.Errorf("state: since %s: expected a time between years 0001 and 9999", s.Since.UTC().Format(time.RFC3339)))
	}
	if !s.Until.IsZero() && (!validSince(s.Until) || !s.Pinned) {
		errs = append(errs, fmt.Errorf("state: until %s: expected %s", s.Until.UTC().Format(time.RFC3339), expectUntil))
	}
	if !validDwell(s.Dwell) {
		errs = append(errs, fmt.Errorf("state: dwell %s: expected %s", s.Dwell, expectDwell))
	}
	return errors.Join(errs...)
}

// maxDwell bounds Dwell: a year is far beyond any damping cap, and a
// bound keeps the encoding short.
const maxDwell = 8760 * time.Hour

func validDwell(d time.Duration) bool { return d >= 0 && d <= maxDwell }

func validSide(a Side) bool { return a == Primary || a == Standby }

// validBy accepts "" or up to MaxBy printable ASCII bytes other than space,
// `"` and `\`, so that by is always one bare token.
func validBy(by string) bool {
	if len(by) > MaxBy {
		return false
	}
	for i := 0; i < len(by); i++ {
		c := by[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// validSince accepts times whose UTC year has four digits, the only ones
// RFC 3339 can write.
func validSince(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}
