package main

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/switchyard-dns/switchyard/test/campaign/invariant"
	"github.com/switchyard-dns/switchyard/test/campaign/truth"
)

// row sums the trials of one fault class.
type row struct {
	class                                    string
	trials, must, mustNot, either, switched  int
	falseSw, missed, flip, lost, late, wrong int
	falseNoise                               int // false switches decided on a vote no fault explains
	notPlayed, overBudget                    int
	elapsed                                  []time.Duration
	maxRate                                  float64
}

func (w *row) add(r Result) {
	w.trials++
	if r.Err != nil {
		w.notPlayed++
		return
	}
	switch r.Verdict.Expect {
	case truth.MustSwitch:
		w.must++
	case truth.MustNotSwitch:
		w.mustNot++
	default:
		w.either++
	}
	if len(r.AutoMoves) > 0 {
		w.switched++
	}
	w.falseSw += b2i(r.FalseSwitch)
	w.falseNoise += b2i(r.FalseSwitch && r.Unexplained)
	w.missed += b2i(r.Missed)
	w.flip += b2i(r.FlipFlop)
	w.wrong += b2i(r.WrongFinal) + r.Violations[invariant.PinOverridden]
	w.overBudget += b2i(r.OverBudget)
	for k, n := range r.Violations {
		if k != invariant.PinOverridden {
			w.lost += n
		}
	}
	if r.Verdict.Expect == truth.MustSwitch && r.Spec.Manual == "" && r.FaultToAnswer > 0 {
		w.elapsed = append(w.elapsed, r.FaultToAnswer)
		if r.FaultToAnswer > r.Bound {
			w.late++
		}
	}
	w.maxRate = max(w.maxRate, r.PerVantageMinute)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Table prints one markdown row per fault class (a trial counts in every
// class it combines) and a total line counting each trial once.
func Table(out io.Writer, results []Result) {
	rows := map[string]*row{}
	total := &row{class: "**total (each trial once)**"}
	for _, r := range results {
		total.add(r)
		for _, c := range r.Spec.Classes() {
			if rows[c] == nil {
				rows[c] = &row{class: c}
			}
			rows[c].add(r)
		}
	}
	names := make([]string, 0, len(rows))
	for n := range rows {
		names = append(names, n)
	}
	slices.Sort(names)
	budget := float64(Budget) / BudgetWindow.Minutes()
	fmt.Fprintln(out, "| Fault class | Trials | Must switch | Must not | Either | Switched | False switches | Missed | Flip-flops | Records lost or inconsistent | Pin overridden | Fault → answer p50 / p95 (late) | API req/vantage/min, max |")
	fmt.Fprintln(out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |")
	for _, n := range names {
		rows[n].print(out)
	}
	total.print(out)
	fmt.Fprintf(out, "\nAPI budget: %d requests per 5 minutes per account = %.0f per minute, shared by %d vantage points (%.0f each); rates projected to a 10 s interval.\n",
		Budget, budget, len(results[0].Spec.Vantages), budget/float64(len(results[0].Spec.Vantages)))
	if n := total.notPlayed; n > 0 {
		fmt.Fprintf(out, "%d trial(s) could not be played (world did not start or reach a steady state); they count as failed.\n", n)
	}
	if total.falseNoise > 0 {
		fmt.Fprintf(out, "%d false switch(es) were decided on more down votes than the injected faults can cause: a check failed on its own (see README).\n", total.falseNoise)
	}
	late, timed := lateSwitches(results)
	if timed > 0 {
		verdict := "met"
		if tooLate(results) {
			verdict = "NOT met"
		}
		fmt.Fprintf(out, "Late answers: %d of %d timed switches (%.1f %%) changed the answer after their bound; the goal, the bound at p95 (at most %d %% late), is %s.\n",
			late, timed, 100*float64(late)/float64(timed), lateAllowed, verdict)
	}
	fmt.Fprintf(out, "Failed trials: %d of %d.\n", failed(results), len(results))
}

// lateAllowed is the share of timed switches, in percent, that may change
// the answer after their bound: the goal is the bound at the 95th
// percentile, not at every trial.
const lateAllowed = 5

// lateSwitches counts the must-switch trials without an operator whose
// answer change was timed, and how many of them came after their bound.
func lateSwitches(results []Result) (late, timed int) {
	for _, r := range results {
		if r.Verdict.Expect == truth.MustSwitch && r.Spec.Manual == "" && r.FaultToAnswer > 0 {
			timed++
			if r.FaultToAnswer > r.Bound {
				late++
			}
		}
	}
	return late, timed
}

// tooLate reports whether more than lateAllowed percent of the timed
// switches were late: the campaign's p95 goal failed.
func tooLate(results []Result) bool {
	late, timed := lateSwitches(results)
	return late*100 > lateAllowed*timed
}

func (w *row) print(out io.Writer) {
	slices.Sort(w.elapsed)
	lat := "–"
	if len(w.elapsed) > 0 {
		lat = fmt.Sprintf("%s / %s (%d)", pct(w.elapsed, 50), pct(w.elapsed, 95), w.late)
	}
	class := w.class
	if w.notPlayed > 0 {
		class += fmt.Sprintf(" (%d not played)", w.notPlayed)
	}
	falseSw := fmt.Sprint(w.falseSw)
	if w.falseNoise > 0 {
		falseSw += fmt.Sprintf(" (%d unexplained vote)", w.falseNoise)
	}
	fmt.Fprintf(out, "| %s | %d | %d | %d | %d | %d | %s | %d | %d | %d | %d | %s | %.1f |\n",
		class, w.trials, w.must, w.mustNot, w.either, w.switched, falseSw, w.missed, w.flip, w.lost, w.wrong, lat, w.maxRate)
}

func pct(sorted []time.Duration, p int) string {
	i := (len(sorted)*p + 99) / 100
	i = min(max(i-1, 0), len(sorted)-1)
	return sorted[i].Round(10 * time.Millisecond).String()
}

func failed(results []Result) int {
	n := 0
	for _, r := range results {
		if r.Failed() {
			n++
		}
	}
	return n
}
