// Package topology judges a deployment's vantage points against the two
// provider-wide failures that matter: a provider lost whole (its region, its
// network or the account itself gone, so all its vantage points abstain)
// and a provider gone blind (all its vantage points lose their path to the
// primary while the rest still reach it). A topology should survive the
// first (an automatic failover is still possible) and resist the second (no
// switch). Both are computed by playing the vote sets through the real
// quorum.Decide, so the analysis cannot drift from the rule it judges.
//
// Why the rule itself is not changed to count only the providers that are
// alive: from inside, a lost provider and a partition look the same. With
// two providers, a and b, "a is gone and b sees the primary down" and "b is
// blind and cut off from a" give every vantage point of b exactly the same
// votes (its own down votes, a's abstentions). Any rule that fails over in
// the first case therefore fails over in the second, so no rule over two
// providers both survives the loss of one and resists the blindness of the
// other. With three providers the existing rule (a strict majority of all
// configured vantage points, from at least two providers) does both, as
// long as no provider holds more than n-quorum vantage points: the loss of
// one leaves at least a quorum on two providers, and one blind provider
// never supplies two providers. So the rule stays, and this package says,
// for every provider, whether the topology passes and what smallest change
// would make it pass.
package topology

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
)

// Settings are the configured values the analysis reads: every vantage id
// (SWITCHYARD_VANTAGE and SWITCHYARD_PEERS), SWITCHYARD_QUORUM and
// SWITCHYARD_MIN_PROVIDERS as configured, 0 meaning the default.
type Settings struct {
	Vantages     []string
	Quorum       int
	MinProviders int
}

// Rule is the quorum rule the settings describe: 0 for Quorum is a
// majority of all vantage points, 0 for MinProviders is
// quorum.DefaultMinProviders.
func (s Settings) Rule() quorum.Rule {
	r := quorum.Rule{
		Vantages:     slices.Sorted(slices.Values(s.Vantages)),
		Quorum:       s.Quorum,
		MinProviders: s.MinProviders,
		MaxAge:       time.Minute, // every played vote is made "now"
	}
	r.Quorum, r.MinProviders = effective(s.Quorum, s.MinProviders, len(s.Vantages), len(quorum.Providers(s.Vantages)))
	return r
}

// effective resolves the defaults of a quorum and a provider minimum for n
// vantage points on np providers.
func effective(q, minProviders, n, np int) (int, int) {
	if q <= 0 {
		q = quorum.Majority(n)
	}
	if minProviders <= 0 {
		minProviders = quorum.DefaultMinProviders(np)
	}
	return q, minProviders
}

// Provider is the verdict for one provider.
type Provider struct {
	Name     string   `json:"provider"`
	Vantages []string `json:"vantages"`
	// SurvivesLoss: with all its vantage points abstaining and every other
	// one seeing the primary down and the standby up, the quorum fails over.
	SurvivesLoss bool `json:"survives_loss"`
	// ResistsBlindness: with all its vantage points seeing the primary down
	// and every other one seeing it up, the quorum does not fail over.
	ResistsBlindness bool `json:"resists_blindness"`
	// Loss and Blind are the quorum's reasons in either case.
	Loss  string `json:"loss"`
	Blind string `json:"blind"`
}

// Analysis is the verdict for a whole topology.
type Analysis struct {
	Vantages     []string   `json:"vantages"`
	Quorum       int        `json:"quorum"`        // effective
	MinProviders int        `json:"min_providers"` // effective
	Providers    []Provider `json:"providers"`
	// Fix is the smallest change found that makes every provider pass both
	// tests, checked by analysing it; empty when the topology passes or
	// when none was found within a few changes.
	Fix string `json:"fix,omitempty"`
	// Warnings name every provider that fails a test, what happens then
	// and the fix; empty when the topology passes.
	Warnings []string `json:"warnings,omitempty"`
}

// OK reports whether the topology survives the loss and resists the
// blindness of every provider.
func (a Analysis) OK() bool { return len(a.Vantages) > 0 && a.passes() }

func (a Analysis) passes() bool {
	for _, p := range a.Providers {
		if !p.SurvivesLoss || !p.ResistsBlindness {
			return false
		}
	}
	return true
}

// Analyze judges s and, when it fails, searches for the smallest fix.
func Analyze(s Settings) Analysis { return analyze(s, true) }

// Judge is Analyze without the search for a fix: the verdict and its
// warnings alone. A cold start logs this one, because the search judges
// thousands of nearby topologies (over 100 ms for a failing six-vantage
// topology on a loaded machine) and would delay the first round and the
// first /observe answer; probe check-config, failover status and the drill
// show the fix.
func Judge(s Settings) Analysis { return analyze(s, false) }

func analyze(s Settings, searchFix bool) Analysis {
	a := judge(s)
	if len(a.Vantages) == 0 {
		a.Warnings = []string{"no vantage points configured (SWITCHYARD_VANTAGE and SWITCHYARD_PEERS are empty): nothing can fail over automatically"}
		return a
	}
	if a.passes() {
		return a
	}
	fix := "run probe check-config for the smallest fix"
	if searchFix {
		a.Fix = smallestFix(s)
		fix = "no change of up to a few vantage points or settings fixes it; spread the vantage points over three providers, none holding half of them"
		if a.Fix != "" {
			fix = "smallest fix: " + a.Fix
		}
	}
	for _, p := range a.Providers {
		if !p.SurvivesLoss {
			a.Warnings = append(a.Warnings, fmt.Sprintf("losing %s whole (%s) blocks every automatic failover: the others give %s; %s",
				p.Name, strings.Join(p.Vantages, ", "), p.Loss, fix))
		}
		if !p.ResistsBlindness {
			a.Warnings = append(a.Warnings, fmt.Sprintf("%s going blind (%s seeing the primary down, every other vantage point seeing it up) fails over on its own: %s; %s",
				p.Name, strings.Join(p.Vantages, ", "), p.Blind, fix))
		}
	}
	return a
}

// judge plays both vote sets for every provider through quorum.Decide.
func judge(s Settings) Analysis {
	r := s.Rule()
	a := Analysis{Vantages: r.Vantages, Quorum: r.Quorum, MinProviders: r.MinProviders}
	now := time.Unix(0, 0)
	for _, name := range quorum.Providers(r.Vantages) {
		p := Provider{Name: name}
		var lost, blind []quorum.Vote
		for _, id := range r.Vantages {
			mine := quorum.Provider(id) == name
			if mine {
				p.Vantages = append(p.Vantages, id)
			} else {
				lost = append(lost, quorum.Vote{Vantage: id, PrimaryUp: false, StandbyUp: true, At: now})
			}
			blind = append(blind, quorum.Vote{Vantage: id, PrimaryUp: !mine, StandbyUp: true, At: now})
		}
		lv := quorum.Decide(now, lost, r)
		bv := quorum.Decide(now, blind, r)
		p.SurvivesLoss = lv.PrimaryDown && lv.StandbyUp
		p.ResistsBlindness = !bv.PrimaryDown
		p.Loss = votes(lv)
		p.Blind = votes(bv)
		a.Providers = append(a.Providers, p)
	}
	return a
}

// votes says what a verdict counted against what it needed.
func votes(v quorum.Verdict) string {
	from := strings.Join(v.DownProviders, ",")
	if from == "" {
		from = "none"
	}
	outcome := "no failover"
	if v.PrimaryDown {
		outcome = "failover"
	}
	return fmt.Sprintf("%s from %s (%s) against quorum %d from %s: %s",
		count(v.Down, "down vote"), count(len(v.DownProviders), "provider"), from, v.Quorum, count(v.MinProviders, "provider"), outcome)
}

// count says n nouns, e.g. "1 provider", "3 down votes".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
