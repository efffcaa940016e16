package report_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
	"github.com/switchyard-dns/switchyard/dnsfailover/report"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
)

func TestFromEventsAndHTML(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	round := func(id string, ms int, primaryOK bool, d *failover.Decision) vantage.Event {
		r := &vantage.Round{Vantage: id, At: at(ms),
			Primary: probe.Result{OK: primaryOK, Reason: map[bool]string{false: "503 <Service Unavailable>"}[primaryOK]},
			Standby: probe.Result{OK: true}}
		if d != nil {
			r.Decision, r.Verdict = *d, &quorum.Verdict{}
		}
		return vantage.Event{Kind: vantage.EventRound, Vantage: id, At: at(ms), Round: r}
	}
	evs := []vantage.Event{
		round("aws:us-east-1", 0, true, nil),
		round("gcp:europe-west1", 10, true, nil),
		{Kind: "fault", At: at(100), Reason: "primary returns 503"},
		round("aws:us-east-1", 500, false, nil),
		round("gcp:europe-west1", 510, false, &failover.Decision{Action: failover.Switch, Reason: "primary down"}),
		{Kind: vantage.EventSwitched, Vantage: "gcp:europe-west1", At: at(600), To: "standby", Generation: 1},
		{Kind: "dns_changed", At: at(610), Target: "standby.example.org"},
		{Kind: vantage.EventParityFailed, Vantage: "aws:us-east-1", At: at(700), Reason: "img/logo.png missing"},
	}
	tl := report.FromEvents("scenario <test>", evs)
	if len(tl.Lanes) != 2 || tl.Lanes[0].Name != "aws:us-east-1" || tl.Lanes[0].Note != "2 rounds" {
		t.Fatalf("lanes = %+v", tl.Lanes)
	}
	kinds := map[report.LineKind]int{}
	for _, l := range tl.Lines {
		kinds[l.Kind]++
	}
	if kinds[report.LineSwitch] != 1 || kinds[report.LineDNS] != 1 || kinds[report.LineFault] != 1 {
		t.Errorf("lines = %+v", tl.Lines)
	}
	tl.Verdict, tl.OK = "PASS", true

	var buf bytes.Buffer
	if err := tl.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{"scenario &lt;test&gt;", "gcp:europe-west1 switched → standby (gen 1)", "DNS answers standby.example.org",
		"primary FAILED: 503 &lt;Service Unavailable&gt;", "parity: img/logo.png missing", `class="badge pass"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Self-contained: no script, no external reference.
	for _, banned := range []string{"<script", "http://", "https://", "src=", "@import"} {
		if strings.Contains(strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, ""), banned) {
			t.Errorf("page contains %q: it must be self-contained", banned)
		}
	}
	// The SVG is well-formed XML.
	svg := page[strings.Index(page, "<svg") : strings.Index(page, "</svg>")+len("</svg>")]
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("SVG is not well-formed: %v", err)
		}
	}
}

// TestLabelsNeverOverlap: lines that fall at the same moment (the switch,
// the DNS answer, a heal, notes) get a row each, however many there are.
func TestLabelsNeverOverlap(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	tl := report.Timeline{Title: "crowded", Lanes: []report.Lane{{Name: "aws:us-east-1",
		Marks: []report.Mark{{At: t0, Shape: report.TickPrimary, Tone: report.Good}, {At: t0.Add(10 * time.Second), Shape: report.TickPrimary, Tone: report.Good}}}}}
	const n = 7
	for i := range n {
		tl.Lines = append(tl.Lines, report.Line{At: t0.Add(5*time.Second + time.Duration(i)*time.Millisecond), Kind: report.LineNote, Label: fmt.Sprintf("label number %d", i)})
	}
	var buf bytes.Buffer
	if err := tl.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	ys := map[string]bool{}
	for _, m := range regexp.MustCompile(`<text x="[0-9.]+" y="([0-9]+)"[^>]*>label number`).FindAllStringSubmatch(buf.String(), -1) {
		ys[m[1]] = true
	}
	if len(ys) != n {
		t.Errorf("%d labels at one moment drawn on %d rows, want %d: %v", n, len(ys), n, ys)
	}
}

// TestCutShort: a probe its caller gave up on, and a refusal after the run
// stopped, are drawn grey as cut short, never as failures.
func TestCutShort(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	r := &vantage.Round{Vantage: "aws:us-east-1", At: t0,
		Primary:  probe.Result{Reason: probe.ReasonCanceled},
		Standby:  probe.Result{Reason: "status 503 Service Unavailable"},
		Decision: failover.Decision{Action: failover.Refuse, Reason: "no quorum"}, Verdict: &quorum.Verdict{}}
	tl := report.FromEvents("stopped", []vantage.Event{{Kind: vantage.EventRound, Vantage: r.Vantage, At: t0, Round: r}})
	tl.Stopped(t0)
	tones := map[report.Shape]report.Tone{}
	for _, m := range tl.Lanes[0].Marks {
		tones[m.Shape] = m.Tone
		if m.Shape == report.TickPrimary && !strings.Contains(m.Label, "cut short") {
			t.Errorf("canceled probe labelled %q", m.Label)
		}
	}
	want := map[report.Shape]report.Tone{report.TickPrimary: report.Neutral, report.TickStandby: report.Bad, report.Diamond: report.Neutral}
	for s, tone := range want {
		if tones[s] != tone {
			t.Errorf("%s drawn %s, want %s", s, tones[s], tone)
		}
	}
}
