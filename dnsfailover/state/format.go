package state

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxLen is the longest encoding Format writes: one DNS TXT
// character-string. Keeping the state in a single string means no provider
// can split it or reorder its parts.
const MaxLen = 255

// ellipsis marks a reason that Format had to shorten.
const ellipsis = "…"

// Format encodes s as the content of the state TXT record, keys in a fixed
// order:
//
//	v=1 active=standby gen=7 since=2026-11-25T17:00:00Z by=aws:eu-west-1 dwell=20m0s pinned=0 reason="4/5 down (aws,gcp)"
//	v=1 active=primary gen=8 since=2026-11-25T17:00:00Z by=manual:ana until=2026-11-25T19:00:00Z pinned=1 reason="hold: storage migration"
//
// since, dwell and until are left out when zero and by when empty. The reason is always quoted,
// with `"` and `\` escaped; control characters in it become spaces, invalid
// UTF-8 becomes U+FFFD, and it is cut on a rune boundary (ending in "…") so
// that the whole encoding fits in MaxLen bytes. For any State that passes
// Validate, Parse(s.Format()) returns s with exactly those changes.
func (s State) Format() string {
	s = s.fitted()
	var b strings.Builder
	b.Grow(MaxLen)
	b.WriteString(s.prefix())
	b.WriteString(`reason="`)
	b.WriteString(escape(s.Reason))
	b.WriteByte('"')
	return b.String()
}

// prefix is everything Format writes before the reason.
func (s State) prefix() string {
	b := make([]byte, 0, MaxLen)
	b = append(b, "v="...)
	b = strconv.AppendInt(b, Version, 10)
	b = append(b, " active="...)
	b = append(b, s.Active...)
	b = append(b, " gen="...)
	b = strconv.AppendUint(b, s.Gen, 10)
	if !s.Since.IsZero() {
		b = append(b, " since="...)
		b = s.Since.UTC().Truncate(time.Second).AppendFormat(b, time.RFC3339)
	}
	if s.By != "" {
		b = append(b, " by="...)
		b = append(b, s.By...)
	}
	if s.Dwell > 0 {
		b = append(b, " dwell="...)
		b = append(b, s.Dwell.String()...)
	}
	if !s.Until.IsZero() {
		b = append(b, " until="...)
		b = s.Until.UTC().Truncate(time.Second).AppendFormat(b, time.RFC3339)
	}
	if s.Pinned {
		b = append(b, " pinned=1 "...)
	} else {
		b = append(b, " pinned=0 "...)
	}
	return string(b)
}

// fitted returns s as Format writes it: Since in UTC and Dwell at second precision, and
// the reason cleaned and shortened to fit. Parse returns fitted states too,
// which is what makes Format∘Parse an identity on everything Parse accepts.
func (s State) fitted() State {
	if !s.Since.IsZero() {
		s.Since = s.Since.UTC().Truncate(time.Second)
	}
	if !s.Until.IsZero() {
		s.Until = s.Until.UTC().Truncate(time.Second)
	}
	s.Dwell = s.Dwell.Truncate(time.Second)
	s.Reason = cleanReason(s.Reason)
	budget := MaxLen - len(s.prefix()) - len(`reason=""`)
	if escapedLen(s.Reason) <= budget {
		return s
	}
	budget -= len(ellipsis)
	n, cut := 0, 0
	for i, r := range s.Reason {
		w := utf8.RuneLen(r)
		if r == '"' || r == '\\' {
			w++
		}
		if n+w > budget {
			break
		}
		n += w
		cut = i + utf8.RuneLen(r)
	}
	if budget < 0 { // only an invalid State (a huge By) leaves no room at all
		s.Reason = ""
		return s
	}
	s.Reason = s.Reason[:cut] + ellipsis
	return s
}

// cleanReason keeps a reason to one line of valid UTF-8: a TXT record is read
// by people in dashboards and by tools that choke on control bytes.
func cleanReason(r string) string {
	r = strings.ToValidUTF8(r, "\uFFFD")
	if strings.IndexFunc(r, unicode.IsControl) < 0 {
		return r
	}
	return strings.Map(func(c rune) rune {
		if unicode.IsControl(c) {
			return ' '
		}
		return c
	}, r)
}

// escape backslash-escapes `"` and `\`, the only bytes that are special
// inside a quoted value.
func escape(s string) string {
	if !strings.ContainsAny(s, `"\`) {
		return s
	}
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

// escapedLen is len(escape(s)) without building it.
func escapedLen(s string) int {
	return len(s) + strings.Count(s, `"`) + strings.Count(s, `\`)
}
