// Package report draws what switchyard did as a timeline a person can take
// in at a glance: one lane per vantage point with its probe results, its
// votes and verdicts, and across all lanes the faults, the switch and the
// moment the DNS answer changed. WriteHTML renders a Timeline as one
// self-contained HTML file with inline SVG: no script, no external asset,
// so it can be mailed, attached to an incident or opened offline.
//
// A Timeline is plain data. FromEvents builds one from vantage (and local
// world) events; the drill builds its own from its steps.
package report

import "time"

// Tone is how a mark or bar is coloured.
type Tone string

const (
	Good    Tone = "good"    // healthy probe, passed step
	Bad     Tone = "bad"     // failed probe, failed step, refused switch
	Warn    Tone = "warn"    // suspicion, abstention
	Neutral Tone = "neutral" // skipped, informational
	Parity  Tone = "parity"  // a parity failure
)

// Shape is how a mark is drawn in its lane.
type Shape string

const (
	// TickPrimary and TickStandby are probe results, on the lane's upper
	// (primary) and lower (standby) row.
	TickPrimary Shape = "primary"
	TickStandby Shape = "standby"
	// Diamond is a vote, verdict or decision, between the rows.
	Diamond Shape = "diamond"
	// Cross is something that did not happen: a peer that did not answer.
	Cross Shape = "cross"
)

// Mark is a point event in one lane.
type Mark struct {
	At    time.Time
	Shape Shape
	Tone  Tone
	Label string // shown on hover (SVG <title>) and, for diamonds, in the lane
}

// Bar is a span in one lane, e.g. a drill step.
type Bar struct {
	Start, End time.Time
	Tone       Tone
	Label      string
}

// Lane is one row: a vantage point, or the drill itself.
type Lane struct {
	Name  string
	Note  string // beside or under the name, e.g. "killed" or "4 rounds"
	Marks []Mark
	Bars  []Bar
	// Compact lanes are half height, for a single bar (one drill step).
	Compact bool
}

// LineKind is what a line across every lane marks.
type LineKind string

const (
	LineSwitch LineKind = "switch" // the record was moved
	LineDNS    LineKind = "dns"    // the authoritative answer changed
	LineFault  LineKind = "fault"  // a fault began (a band runs to the next heal)
	LineHeal   LineKind = "heal"   // a fault ended
	LineNote   LineKind = "note"
)

// Line is an event that concerns every lane.
type Line struct {
	At    time.Time
	Kind  LineKind
	Label string
}

// Timeline is everything WriteHTML draws.
type Timeline struct {
	Title    string
	Subtitle string
	// Verdict is shown as a badge: "PASS", "FAIL" or "" for none; OK picks
	// its colour.
	Verdict string
	OK      bool
	Summary []string // short lines under the title, e.g. step durations
	Lanes   []Lane
	Lines   []Line
	// Start and End bound the time axis; zero: from the data.
	Start, End time.Time
}

// span returns the time the axis covers, with a little room either side.
func (t Timeline) span() (time.Time, time.Time) {
	start, end := t.Start, t.End
	grow := func(at time.Time) {
		if at.IsZero() {
			return
		}
		if start.IsZero() || at.Before(start) {
			start = at
		}
		if end.IsZero() || at.After(end) {
			end = at
		}
	}
	if t.Start.IsZero() || t.End.IsZero() {
		for _, l := range t.Lanes {
			for _, m := range l.Marks {
				grow(m.At)
			}
			for _, b := range l.Bars {
				grow(b.Start)
				grow(b.End)
			}
		}
		for _, l := range t.Lines {
			grow(l.At)
		}
	}
	if start.IsZero() {
		start = time.Unix(0, 0)
	}
	if !end.After(start) {
		end = start.Add(time.Second)
	}
	pad := end.Sub(start) / 40
	return start.Add(-pad), end.Add(pad)
}
