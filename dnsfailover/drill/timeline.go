package drill

import (
	"fmt"
	"strings"

	"github.com/switchyard-dns/switchyard/dnsfailover/report"
)

// Timeline draws the drill: its steps as bars in their own lane, each
// vantage point's answer in the quorum round, and lines where the drill
// record moved and where the authoritative answer followed.
func (r Report) Timeline() report.Timeline {
	t := report.Timeline{Verdict: "PASS", OK: r.Passed}
	if !r.Passed {
		t.Verdict = "FAIL"
	}
	if r.DryRun {
		t.Title = "dry run on " + r.Record
		t.Subtitle = "what a failover would do now; nothing was written"
	} else {
		t.Title = "drill on " + r.Record
		t.Subtitle = fmt.Sprintf("primary %s → standby %s → back, started %s", r.Primary, r.Standby, r.Started.UTC().Format("2006-01-02 15:04:05 MST"))
	}
	for _, s := range r.Steps {
		tone := report.Good
		switch s.Status {
		case Fail:
			tone = report.Bad
		case Skip:
			tone = report.Neutral
		}
		label := fmt.Sprintf("%s: %s in %s", s.Name, s.Status, dur(s.Duration))
		if text := strings.Trim(s.Detail+"; "+s.Reason, "; "); text != "" {
			label += " — " + text
		}
		lane := report.Lane{Name: mark(s.Status) + " " + s.Name, Note: dur(s.Duration), Compact: true}
		if s.Status == Skip {
			lane.Note = "skipped"
		} else {
			lane.Bars = []report.Bar{{Start: s.Start, End: s.Start.Add(s.Duration), Tone: tone, Label: label}}
		}
		if s.Status == Fail {
			t.Summary = append(t.Summary, s.Name+": "+s.Reason)
		}
		t.Lanes = append(t.Lanes, lane)
		end := s.Start.Add(s.Duration)
		switch {
		case s.Status == Pass && strings.HasPrefix(s.Name, "write "):
			t.Lines = append(t.Lines, report.Line{At: end, Kind: report.LineSwitch, Label: "drill record → " + strings.TrimPrefix(s.Name, "write ")})
		case s.Status == Pass && strings.HasPrefix(s.Name, "DNS answers "):
			t.Lines = append(t.Lines, report.Line{At: end, Kind: report.LineDNS, Label: s.Name})
		}
	}
	t.Summary = append([]string{fmt.Sprintf("%d steps in %s", len(r.Steps), dur(r.Duration))}, t.Summary...)

	quorum, _ := r.Step("quorum round")
	for _, p := range r.Peers {
		l := report.Lane{Name: p.ID, Note: "answered"}
		if p.Self {
			l.Note = "this process"
		}
		if !p.Answered {
			l.Note = "no answer"
			l.Marks = append(l.Marks, report.Mark{At: quorum.Start.Add(quorum.Duration), Shape: report.Cross, Tone: report.Bad, Label: "no answer: " + p.Error})
		} else {
			l.Marks = append(l.Marks,
				report.Mark{At: p.At, Shape: report.TickPrimary, Tone: tone(p.PrimaryOK), Label: "primary " + okText(p.PrimaryOK)},
				report.Mark{At: p.At, Shape: report.TickStandby, Tone: tone(p.StandbyOK), Label: "standby " + okText(p.StandbyOK)})
		}
		t.Lanes = append(t.Lanes, l)
	}
	if r.Plan != "" {
		t.Summary = append(t.Summary, "a failover now: "+r.Plan)
	}
	return t
}

func tone(ok bool) report.Tone {
	if ok {
		return report.Good
	}
	return report.Bad
}

func mark(s Status) string {
	switch s {
	case Pass:
		return "✓"
	case Fail:
		return "✗"
	}
	return "–"
}
