package report

import (
	"fmt"
	"slices"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
)

// Kinds of event that FromEvents draws besides the vantage.EventKind values:
// what happened around the vantage points. They are spelled here, once; the
// local world (infra/local/world), which emits them, names them after these.
const (
	EventFault      vantage.EventKind = "fault"       // a fault was injected
	EventHeal       vantage.EventKind = "heal"        // a fault was lifted
	EventDNSChanged vantage.EventKind = "dns_changed" // the authoritative answer changed; Target holds it
	EventNote       vantage.EventKind = "note"        // a remark on what was checked
)

// FromEvents builds a timeline from vantage events (and the local world's,
// whose dns_changed events carry the new answer in Target). Round events
// must carry their Round: they give the probe ticks and verdicts.
func FromEvents(title string, events []vantage.Event) Timeline {
	t := Timeline{Title: title}
	lanes := map[string]*Lane{}
	var order []string
	lane := func(id string) *Lane {
		if l, ok := lanes[id]; ok {
			return l
		}
		lanes[id] = &Lane{Name: id}
		order = append(order, id)
		return lanes[id]
	}
	rounds := map[string]int{}
	for _, e := range events {
		switch e.Kind {
		case vantage.EventRound:
			if e.Round == nil {
				continue
			}
			r := e.Round
			l := lane(e.Vantage)
			rounds[e.Vantage]++
			l.Marks = append(l.Marks,
				probeMark(r.At, TickPrimary, "primary", r.Primary),
				probeMark(r.At, TickStandby, "standby", r.Standby))
			if r.Verdict != nil {
				tone := Warn
				switch r.Decision.Action {
				case failover.Switch:
					tone = Good
				case failover.Refuse:
					tone = Bad
				}
				l.Marks = append(l.Marks, Mark{At: e.At, Shape: Diamond, Tone: tone,
					Label: fmt.Sprintf("verdict: %s (%s)", r.Decision.Action, r.Decision.Reason)})
			}
		case vantage.EventSuspect:
			lane(e.Vantage).Marks = append(lane(e.Vantage).Marks, Mark{At: e.At, Shape: Diamond, Tone: Warn, Label: "suspect: " + e.Reason})
		case vantage.EventParityFailed:
			lane(e.Vantage).Marks = append(lane(e.Vantage).Marks, Mark{At: e.At, Shape: Diamond, Tone: Parity, Label: "parity: " + e.Reason})
		case vantage.EventStale:
			lane(e.Vantage).Marks = append(lane(e.Vantage).Marks, Mark{At: e.At, Shape: Diamond, Tone: Neutral, Label: "another vantage point switched first: " + e.Reason})
		case vantage.EventError:
			lane(e.Vantage).Marks = append(lane(e.Vantage).Marks, Mark{At: e.At, Shape: Cross, Tone: Bad, Label: "error: " + e.Reason})
		case vantage.EventSwitched:
			t.Lines = append(t.Lines, Line{At: e.At, Kind: LineSwitch,
				Label: fmt.Sprintf("%s switched → %s (gen %d)", e.Vantage, e.To, e.Generation)})
		case vantage.EventDryRun:
			t.Lines = append(t.Lines, Line{At: e.At, Kind: LineNote, Label: fmt.Sprintf("%s would switch → %s (dry run)", e.Vantage, e.To)})
		case EventDNSChanged:
			t.Lines = append(t.Lines, Line{At: e.At, Kind: LineDNS, Label: "DNS answers " + e.Target})
		case EventFault:
			t.Lines = append(t.Lines, Line{At: e.At, Kind: LineFault, Label: "fault: " + e.Reason})
		case EventHeal:
			t.Lines = append(t.Lines, Line{At: e.At, Kind: LineHeal, Label: "heal: " + e.Reason})
		case EventNote:
			t.Lines = append(t.Lines, Line{At: e.At, Kind: LineNote, Label: e.Reason})
		}
		// refused, dry_run and the rest show through the round's verdict.
	}
	slices.Sort(order)
	for _, id := range order {
		l := lanes[id]
		l.Note = fmt.Sprintf("%d rounds", rounds[id])
		t.Lanes = append(t.Lanes, *l)
	}
	return t
}

// probeMark draws one check. A check cut short because the run stopped
// (the world closing, a Lambda's deadline) found nothing about the origin:
// it is drawn grey as cut, never as a failure.
func probeMark(at time.Time, shape Shape, side string, r probe.Result) Mark {
	switch {
	case r.OK:
		return Mark{At: at, Shape: shape, Tone: Good, Label: fmt.Sprintf("%s ok in %s", side, r.Latency.Round(time.Millisecond))}
	case r.Canceled():
		return Mark{At: at, Shape: shape, Tone: Neutral, Label: side + " cut short: the run stopped before it answered"}
	}
	return Mark{At: at, Shape: shape, Tone: Bad, Label: fmt.Sprintf("%s FAILED: %s", side, r.Reason)}
}

// Stopped marks the warnings and failures in the lanes at or after at,
// when the run was stopped, as cut short: a verdict refused because the
// peers had already gone, a write whose context was canceled. They are
// drawn grey, labelled so, and never read as the system's findings (a
// switch verdict reached before the stop stays as it was: its quorum was
// real). Probes cut short
// are recognised by their own reason (probe.Result.Canceled), wherever
// they fall.
func (t *Timeline) Stopped(at time.Time) {
	for i := range t.Lanes {
		for j, m := range t.Lanes[i].Marks {
			if (m.Shape == Diamond || m.Shape == Cross) && !m.At.Before(at) && m.Tone != Neutral && m.Tone != Good {
				t.Lanes[i].Marks[j].Tone = Neutral
				t.Lanes[i].Marks[j].Label = "cut short, after the run stopped: " + m.Label
			}
		}
	}
}
