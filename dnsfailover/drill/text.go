package drill

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteText writes the report for a person: a header with the outcome,
// one aligned line per step, then who answered and what parity found.
func (r Report) WriteText(w io.Writer) error {
	b := &strings.Builder{}
	verdict := "PASS"
	if !r.Passed {
		verdict = "FAIL"
	}
	if r.DryRun {
		fmt.Fprintf(b, "dry run on %s (nothing written)   %s in %s\n\n", r.Record, verdict, dur(r.Duration))
	} else {
		fmt.Fprintf(b, "drill on %s: primary %s → standby %s → back   %s in %s\n\n", r.Record, r.Primary, r.Standby, verdict, dur(r.Duration))
	}
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  STEP\tRESULT\tTIME\tDETAIL")
	for _, s := range r.Steps {
		t := dur(s.Duration)
		if s.Status == Skip {
			t = "-"
		}
		detail := s.Detail
		if s.Reason != "" {
			if detail != "" {
				detail += "; "
			}
			detail += strings.ToUpper(string(s.Status)) + ": " + s.Reason
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", s.Name, s.Status, t, detail)
	}
	_ = tw.Flush()
	if len(r.Peers) > 0 {
		fmt.Fprintln(b, "\nvantage points:")
		tw = tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
		for _, p := range r.Peers {
			switch {
			case !p.Answered:
				fmt.Fprintf(tw, "  %s\tno answer\t%s\n", p.ID, p.Error)
			default:
				self := ""
				if p.Self {
					self = " (this process)"
				}
				fmt.Fprintf(tw, "  %s\tprimary %s\tstandby %s%s\n", p.ID, okText(p.PrimaryOK), okText(p.StandbyOK), self)
			}
		}
		_ = tw.Flush()
	}
	if r.Topology != nil {
		fmt.Fprintln(b)
		_ = r.Topology.WriteText(b)
	}
	if r.Parity != nil && len(r.Parity.Objects) > 0 {
		fmt.Fprintln(b, "\nparity:")
		tw = tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
		for _, o := range r.Parity.Objects {
			note := o.Reason
			if o.ETag != "" {
				note = strings.TrimPrefix(note+"; etag "+o.ETag, "; ")
			}
			fmt.Fprintf(tw, "  %s\t%s\t%d bytes\t%s\n", o.Key, o.Match, o.Primary.Size, note)
		}
		_ = tw.Flush()
	}
	if r.Plan != "" {
		fmt.Fprintf(b, "\na failover now: %s\n", r.Plan)
	}
	if !r.Passed {
		fmt.Fprintf(b, "\nFAILED:\n  %s\n", strings.ReplaceAll(r.Reason, "\n", "\n  "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func okText(ok bool) string {
	if ok {
		return "ok"
	}
	return "FAIL"
}

func dur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
	default:
		return d.Round(10 * time.Millisecond).String()
	}
}
