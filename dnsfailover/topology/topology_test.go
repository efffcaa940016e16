package topology

import (
	"fmt"
	"strings"
	"testing"
)

// ids makes vantage ids: ids("aws", 2, "gcp", 1) is aws:r1, aws:r2, gcp:r1.
func ids(spec ...any) []string {
	var out []string
	for i := 0; i < len(spec); i += 2 {
		for r := range spec[i+1].(int) {
			out = append(out, fmt.Sprintf("%s:r%d", spec[i], r+1))
		}
	}
	return out
}

// verdicts writes each provider's two results as "aws:SR" (S survives its
// loss, R resists its blindness; '-' where it fails), sorted by provider.
func verdicts(a Analysis) string {
	var parts []string
	for _, p := range a.Providers {
		v := p.Name + ":"
		v += map[bool]string{true: "S", false: "-"}[p.SurvivesLoss]
		v += map[bool]string{true: "R", false: "-"}[p.ResistsBlindness]
		parts = append(parts, v)
	}
	return strings.Join(parts, " ")
}

func TestAnalyze(t *testing.T) {
	tests := []struct {
		name     string
		s        Settings
		verdicts string
		fix      string // "" when it passes
	}{
		{
			name:     "recommended: 2 aws + 2 gcp + 1 azure, quorum 3 of 5 from 2",
			s:        Settings{Vantages: ids("aws", 2, "gcp", 2, "azure", 1)},
			verdicts: "aws:SR azure:SR gcp:SR",
		},
		{
			name:     "issue 10: 3 aws + 1 gcp survives the loss of neither",
			s:        Settings{Vantages: ids("aws", 3, "gcp", 1)},
			verdicts: "aws:-R gcp:-R",
			fix:      "add a vantage point on gcp, add 2 vantage points on a third provider (then quorum 4 of 7 from 2 providers)",
		},
		{
			name:     "two providers can never pass: a third is the fix",
			s:        Settings{Vantages: ids("aws", 2, "gcp", 2)},
			verdicts: "aws:-R gcp:-R",
			fix:      "add a vantage point on a third provider (then quorum 3 of 5 from 2 providers)",
		},
		{
			name:     "two providers with min providers 1: a majority of one provider is still too few after losing the other",
			s:        Settings{Vantages: ids("aws", 3, "gcp", 2), MinProviders: 1},
			verdicts: "aws:-- gcp:SR",
			fix:      "add 2 vantage points on a third provider (then quorum 4 of 7 from 1 provider)",
		},
		{
			name:     "quorum too high to survive a loss: lower it",
			s:        Settings{Vantages: ids("aws", 2, "gcp", 2, "azure", 1), Quorum: 4},
			verdicts: "aws:-R azure:SR gcp:-R",
			fix:      "lower SWITCHYARD_QUORUM to 3 (then quorum 3 of 5 from 2 providers)",
		},
		{
			name:     "min providers 3 of 3: any loss leaves two",
			s:        Settings{Vantages: ids("aws", 2, "gcp", 2, "azure", 1), MinProviders: 3},
			verdicts: "aws:-R azure:-R gcp:-R",
			fix:      "lower SWITCHYARD_MIN_PROVIDERS to 2 (then quorum 3 of 5 from 2 providers)",
		},
		{
			name:     "a minority quorum with min providers 1: a blind provider switches alone",
			s:        Settings{Vantages: ids("aws", 2, "gcp", 2), Quorum: 2, MinProviders: 1},
			verdicts: "aws:S- gcp:S-",
			fix:      "add a vantage point on a third provider, raise SWITCHYARD_QUORUM to 3 (then quorum 3 of 5 from 1 provider)",
		},
		{
			name:     "one provider alone",
			s:        Settings{Vantages: ids("aws", 3)},
			verdicts: "aws:--",
			fix:      "add 2 vantage points on a second provider, add 2 vantage points on a third provider (then quorum 4 of 7 from 2 providers)",
		},
		{
			name:     "three single vantage points on three providers pass",
			s:        Settings{Vantages: ids("aws", 1, "gcp", 1, "azure", 1)},
			verdicts: "aws:SR azure:SR gcp:SR",
		},
		{
			name:     "one provider holding too many: a loss leaves too few",
			s:        Settings{Vantages: ids("aws", 3, "gcp", 1, "azure", 1)},
			verdicts: "aws:-R azure:SR gcp:SR",
			fix:      "add 2 vantage points on gcp (then quorum 4 of 7 from 2 providers)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Analyze(tt.s)
			if got := verdicts(a); got != tt.verdicts {
				t.Errorf("verdicts %q, want %q", got, tt.verdicts)
			}
			if a.OK() != (tt.fix == "") {
				t.Errorf("OK() = %v with fix %q", a.OK(), a.Fix)
			}
			if a.Fix != tt.fix {
				t.Errorf("fix %q\n want %q", a.Fix, tt.fix)
			}
			// Every failing test is a warning naming its provider and the fix.
			for _, p := range a.Providers {
				for _, failed := range []bool{!p.SurvivesLoss, !p.ResistsBlindness} {
					if failed && !hasWarning(a, p.Name, tt.fix) {
						t.Errorf("no warning names %s and the fix: %q", p.Name, a.Warnings)
					}
				}
			}
			if a.OK() && len(a.Warnings) > 0 {
				t.Errorf("a passing topology warns: %q", a.Warnings)
			}
		})
	}
}

func hasWarning(a Analysis, provider, fix string) bool {
	for _, w := range a.Warnings {
		if strings.Contains(w, provider) && strings.Contains(w, fix) {
			return true
		}
	}
	return false
}

// Larger topologies still get advice, found within the search.
func TestFixFound(t *testing.T) {
	for _, s := range []Settings{
		{Vantages: ids("aws", 3, "gcp", 1)},
		{Vantages: ids("aws", 2, "gcp", 2), Quorum: 2, MinProviders: 1},
		{Vantages: ids("aws", 4, "gcp", 1, "azure", 1, "oci", 1, "ibm", 1)},
		{Vantages: ids("aws", 1)},
	} {
		if a := Analyze(s); a.Fix == "" {
			t.Errorf("%v: no fix found", s)
		}
	}
}

// Nothing configured: no verdict, one warning, and not OK.
func TestAnalyzeEmpty(t *testing.T) {
	a := Analyze(Settings{})
	if a.OK() || len(a.Providers) != 0 || len(a.Warnings) != 1 || !strings.Contains(a.Warnings[0], "SWITCHYARD_PEERS") {
		t.Errorf("empty analysis: %+v", a)
	}
}

// The analysis follows the rule's own arithmetic: a vote set that
// quorum.Decide judges one way is reported that way. Checked here by
// weakening the rule (min providers 1) and seeing resistance go.
func TestRuleDrivesVerdict(t *testing.T) {
	s := Settings{Vantages: ids("aws", 3, "gcp", 2)}
	if a := Analyze(s); !a.Providers[0].ResistsBlindness {
		t.Fatalf("3 aws of 5 with min providers 2 must resist aws's blindness: %s", a.Providers[0].Blind)
	}
	s.MinProviders = 1
	if a := Analyze(s); a.Providers[0].ResistsBlindness {
		t.Fatalf("3 aws of 5 with min providers 1 cannot resist aws's blindness: %s", a.Providers[0].Blind)
	}
}

// Judge gives the same verdict as Analyze but leaves the fix search to the
// commands that explain a configuration: a cold start must not pay for it.
func TestJudgeLeavesTheFixSearchOut(t *testing.T) {
	s := Settings{Vantages: []string{"aws:us-east-1", "aws:us-west-2", "aws:eu-west-1", "gcp:europe-west1"}}
	full, quick := Analyze(s), Judge(s)
	if full.OK() || quick.OK() {
		t.Fatalf("3 aws + 1 gcp passed: Analyze %v, Judge %v", full.OK(), quick.OK())
	}
	if quick.Fix != "" || full.Fix == "" {
		t.Fatalf("fix: Judge %q (want none), Analyze %q (want one)", quick.Fix, full.Fix)
	}
	if len(quick.Warnings) != len(full.Warnings) || !strings.Contains(quick.Warnings[0], "probe check-config") {
		t.Fatalf("Judge warnings %q, want as many as Analyze's (%d) pointing at probe check-config", quick.Warnings, len(full.Warnings))
	}
}
