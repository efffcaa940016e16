package topology

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
)

// Summary is the verdict in one line.
func (a Analysis) Summary() string {
	if len(a.Vantages) == 0 {
		return "no vantage points configured"
	}
	head := fmt.Sprintf("%s on %s, a switch needs %s from %s",
		count(len(a.Vantages), "vantage point"), count(len(a.Providers), "provider"),
		count(a.Quorum, "down vote"), count(a.MinProviders, "provider"))
	if a.OK() {
		return head + ": survives the loss and resists the blindness of any one provider"
	}
	var lost, blind []string
	for _, p := range a.Providers {
		if !p.SurvivesLoss {
			lost = append(lost, p.Name)
		}
		if !p.ResistsBlindness {
			blind = append(blind, p.Name)
		}
	}
	var bad []string
	if len(lost) > 0 {
		bad = append(bad, "does NOT survive losing "+strings.Join(lost, " or "))
	}
	if len(blind) > 0 {
		bad = append(bad, "does NOT resist "+strings.Join(blind, " or ")+" going blind")
	}
	return head + ": " + strings.Join(bad, ", ")
}

// WriteText writes the verdict for a person: the summary, one row per
// provider, then every warning.
func (a Analysis) WriteText(w io.Writer) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "topology: %s\n", a.Summary())
	if len(a.Providers) > 0 {
		tw := tabwriter.NewWriter(b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  PROVIDER\tVANTAGE POINTS\tLOST WHOLE\tBLIND")
		for _, p := range a.Providers {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", p.Name, strings.Join(p.Vantages, ", "),
				pass(p.SurvivesLoss, "survives", "BLOCKS FAILOVER"), pass(p.ResistsBlindness, "resists", "SWITCHES ALONE"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, warning := range a.Warnings {
		fmt.Fprintf(b, "WARNING: %s\n", warning)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func pass(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}

// Log writes the verdict as one info line, and each warning as a warn
// line of its own so that alerting on warnings catches it.
func (a Analysis) Log(log *slog.Logger) {
	ctx := context.Background()
	var providers []string
	for _, p := range a.Providers {
		providers = append(providers, fmt.Sprintf("%s=%d", p.Name, len(p.Vantages)))
	}
	log.LogAttrs(ctx, slog.LevelInfo, "topology", slog.Bool("ok", a.OK()), slog.Int("vantages", len(a.Vantages)),
		slog.String("providers", strings.Join(providers, ",")), slog.Int("quorum", a.Quorum),
		slog.Int("min_providers", a.MinProviders), slog.String("verdict", a.Summary()))
	for _, warning := range a.Warnings {
		log.LogAttrs(ctx, slog.LevelWarn, "topology warning", slog.String("warning", warning))
	}
}
