package manual

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
)

// WriteText writes the report for a person: the record and its state, the
// checks run now, and one aligned row per vantage point.
func (r Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "record\t%s %s → %s\n", r.Record, r.Type, r.Current.describe())
	for _, g := range r.Group {
		fmt.Fprintf(tw, "  with\t%s %s → %s\n", g.Record, g.Type, g.describe())
	}
	fmt.Fprintf(tw, "state\t%s\n", r.Current.State.describe())
	if r.Failback != "" {
		fmt.Fprintf(tw, "failback\t%s\n", r.Failback)
	}
	if r.Dwell != "" {
		fmt.Fprintf(tw, "dwell\t%s before an automatic failback\n", r.Dwell)
	}
	if r.Problem != "" {
		fmt.Fprintf(tw, "PROBLEM\t%s: automation will not touch it\n", r.Problem)
	}
	if len(r.Providers) > 0 {
		fmt.Fprintln(tw)
		fmt.Fprintln(tw, "DNS PROVIDER\tGEN\tACTIVE\tTARGET\tAGREES")
		for _, p := range r.Providers {
			agrees := "yes"
			if !p.Agrees {
				agrees = "NO: " + orDash(p.Error)
			}
			gen := fmt.Sprint(p.Gen)
			if p.Target == "" && p.Error != "" {
				gen = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Provider, gen, orDash(string(p.Active)), orDash(p.Target), agrees)
		}
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "TARGET\tCONTENT\tCHECK NOW (from here)")
	fmt.Fprintf(tw, "primary\t%s\t%s\n", r.PrimaryTarget, checkText(r.Health.Primary))
	fmt.Fprintf(tw, "standby\t%s\t%s\n", r.StandbyTarget, checkText(r.Health.Standby))
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "VANTAGE\tLAST ROUND\tPRIMARY\tSTANDBY\tSEES\tDECISION")
	for _, v := range r.Vantages {
		if v.Round == nil {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t%s\n", v.ID, v.Error)
			continue
		}
		rd := v.Round
		sees := string(rd.Active)
		if rd.Error != "" {
			sees = "error: " + rd.Error
		}
		decision := string(rd.Decision.Action)
		if rd.Decision.Reason != "" {
			decision += ": " + rd.Decision.Reason
		}
		fmt.Fprintf(tw, "%s\t%s ago\t%s\t%s\t%s\t%s\n", v.ID, age(r.At, rd.At), okText(rd.Primary), okText(rd.Standby), orDash(sees), orDash(decision))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// A standby that answers its own URL but not the record's name is the
	// defect an operator must fix before it is needed: said apart.
	for _, v := range r.Vantages {
		if v.Round != nil && v.Round.StandbyClient != nil && !v.Round.StandbyClient.OK {
			fmt.Fprintf(w, "STANDBY DEFECT (%s): would not serve clients at %s: %s\n", v.ID, r.Record, v.Round.StandbyClient.Reason)
		}
	}
	if r.Topology != nil {
		fmt.Fprintln(w)
		return r.Topology.WriteText(w)
	}
	return nil
}

// WriteText writes the result for a person: before → after and what it means.
func (r Result) WriteText(w io.Writer) error {
	if r.Status != nil {
		return r.Status.WriteText(w)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "record\t%s\n", r.Record)
	fmt.Fprintf(tw, "before\t%s\t%s\n", r.Before.describe(), r.Before.State.describe())
	before := r.Before.describe() + r.Before.State.describe()
	switch after := r.After.describe() + r.After.State.describe(); {
	case r.Changed:
		fmt.Fprintf(tw, "after\t%s\t%s\n", r.After.describe(), r.After.State.describe())
	case r.After.Target != "" && after != before:
		fmt.Fprintf(tw, "would be\t%s\t%s\n", r.After.describe(), r.After.State.describe())
	}
	if r.Check != nil && r.After.Side != "" {
		forced := ""
		if r.Forced && !r.Check.OK {
			forced = " (forced)"
		}
		fmt.Fprintf(tw, "check\t%s now: %s%s\n", r.After.Side, checkText(*r.Check), forced)
	}
	if r.Note != "" {
		fmt.Fprintf(tw, "\t%s\n", r.Note)
	}
	return tw.Flush()
}

func (v View) describe() string {
	if v.Side == "" {
		return v.Target + " (neither target)"
	}
	return fmt.Sprintf("%s (%s)", v.Target, v.Side)
}

func (s *StateView) describe() string {
	if s == nil {
		return "no state TXT yet"
	}
	since := "-"
	if !s.Since.IsZero() {
		since = s.Since.UTC().Format(time.RFC3339)
	}
	pinned := "no"
	switch {
	case s.Pinned && !s.Until.IsZero() && time.Now().Before(s.Until):
		pinned = "held until " + s.Until.UTC().Format(time.RFC3339)
	case s.Pinned && !s.Until.IsZero():
		pinned = "no (hold ended " + s.Until.UTC().Format(time.RFC3339) + ")"
	case s.Pinned:
		pinned = "yes"
	}
	dwell := ""
	if s.Dwell != "" {
		dwell = ", dwell " + s.Dwell
	}
	return fmt.Sprintf("gen %d, since %s, by %s, pinned %s%s, reason %q", s.Gen, since, orDash(s.By), pinned, dwell, s.Reason)
}

func checkText(r probe.Result) string {
	if r.OK {
		return fmt.Sprintf("ok in %s", r.Latency.Round(time.Millisecond))
	}
	return "FAIL: " + r.Reason
}

func okText(r probe.Result) string {
	if r.OK {
		return "ok"
	}
	return "FAIL"
}

func age(now, then time.Time) string {
	d := now.Sub(then)
	if d < 0 {
		d = 0
	}
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
