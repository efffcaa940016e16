package main

import (
	"fmt"
	"os"

	"github.com/switchyard-dns/switchyard/dnsfailover/report"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/scenario"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// writeHTML draws the scenario's events as a self-contained HTML timeline.
func writeHTML(path string, sc scenario.Scenario, evs []world.Event, out scenario.Outcome) error {
	vevs := make([]vantage.Event, 0, len(evs))
	for _, e := range evs {
		if e.Kind == world.EventDNSChanged && e.Target == "" {
			e.Target = e.Answer
		}
		vevs = append(vevs, e.Event)
	}
	t := report.FromEvents("scenario "+sc.Name, vevs)
	t.Subtitle = sc.About
	if !out.Stopped.IsZero() {
		t.Stopped(out.Stopped)
	}
	t.Verdict, t.OK = "PASS", out.Err == nil
	if out.Err != nil {
		t.Verdict = "FAIL"
		t.Summary = append(t.Summary, out.Err.Error())
	}
	for _, d := range out.Elapsed {
		t.Summary = append(t.Summary, fmt.Sprintf("fault → DNS answer changed in %dms (bound %dms)", d.Milliseconds(), out.Bound.Milliseconds()))
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := t.WriteHTML(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
