package topology

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
)

// The fix search: every topology within a few changes of the configured
// one (each existing provider with up to maxDelta vantage points more or
// fewer, up to two new providers with one or two each, and any allowed
// quorum and provider minimum), ordered by how much it changes, and the
// first one that judge passes is the advice. Every candidate is judged by
// the same quorum.Decide, so the advice is never a guess.
const (
	maxDelta     = 2
	maxNew       = 2 // new providers
	maxPerNew    = 2 // vantage points on each new provider
	newProviderP = "+new"
)

// candidate is one changed topology.
type candidate struct {
	counts                 map[string]int // vantage points per provider
	quorum, minProviders   int            // as configured, 0 meaning the default
	added, removed, config int            // what it changes
	effQuorum, effMin      int            // the rule it makes
}

func (c candidate) cost() int { return c.added + c.removed + c.config }

func (c candidate) newProviders() int {
	n := 0
	for p, k := range c.counts {
		if k > 0 && strings.HasPrefix(p, newProviderP) {
			n++
		}
	}
	return n
}

func (c candidate) settings() Settings {
	var ids []string
	for _, p := range slices.Sorted(maps.Keys(c.counts)) {
		for i := range c.counts[p] {
			ids = append(ids, fmt.Sprintf("%s:%d", p, i))
		}
	}
	return Settings{Vantages: ids, Quorum: c.quorum, MinProviders: c.minProviders}
}

// smallestFix returns the cheapest change that passes, said for a person,
// or "" when none is found within the search.
func smallestFix(s Settings) string {
	orig := map[string]int{}
	for _, id := range s.Vantages {
		orig[quorum.Provider(id)]++
	}
	providers := slices.Sorted(maps.Keys(orig))
	var cands []candidate
	// Each existing provider varies by up to maxDelta, fewer when there
	// are many, so the search stays within a few thousand topologies.
	delta := maxDelta
	switch {
	case len(providers) > 6:
		delta = 0
	case len(providers) > 3:
		delta = 1
	}
	for _, counts := range countVariants(orig, providers, delta) {
		n, np := 0, 0
		for _, k := range counts {
			n += k
			if k > 0 {
				np++
			}
		}
		if n == 0 {
			continue
		}
		added, removed := 0, 0
		for p, k := range counts {
			if d := k - orig[p]; d > 0 {
				added += d
			} else {
				removed -= d
			}
		}
		for _, q := range options(s.Quorum, quorum.Majority(n), n, quorum.Majority(n)) {
			for _, m := range options(s.MinProviders, 1, np, quorum.DefaultMinProviders(np)) {
				c := candidate{counts: counts, quorum: q.value, minProviders: m.value,
					added: added, removed: removed, config: q.changed + m.changed}
				c.effQuorum, c.effMin = effective(c.quorum, c.minProviders, n, np)
				cands = append(cands, c)
			}
		}
	}
	// Cheapest first; at equal cost a setting before a vantage point (a
	// setting costs nothing to run), fewer new providers (each is another
	// account and deployment to run), and adding before removing (removing
	// gives up redundancy that works), then the stricter rule (more
	// providers, then more votes).
	slices.SortStableFunc(cands, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.cost(), b.cost()), cmp.Compare(a.added+a.removed, b.added+b.removed),
			cmp.Compare(a.newProviders(), b.newProviders()), cmp.Compare(a.removed, b.removed),
			cmp.Compare(b.effMin, a.effMin), cmp.Compare(b.effQuorum, a.effQuorum))
	})
	for _, c := range cands {
		if c.cost() == 0 {
			continue
		}
		if judge(c.settings()).passes() { // judged afresh, from the settings alone
			return describe(s, orig, providers, c)
		}
	}
	return ""
}

// countVariants lists every vantage count per provider within the search,
// in a fixed order: existing providers changed by up to maxDelta, plus up
// to maxNew new providers with 1 to maxPerNew vantage points each.
func countVariants(orig map[string]int, providers []string, delta int) []map[string]int {
	variants := []map[string]int{{}}
	for _, p := range providers {
		var next []map[string]int
		for _, v := range variants {
			for d := -delta; d <= delta; d++ {
				if k := orig[p] + d; k >= 0 {
					w := maps.Clone(v)
					w[p] = k
					next = append(next, w)
				}
			}
		}
		variants = next
	}
	out := variants
	for _, v := range variants {
		for a := 1; a <= maxPerNew; a++ {
			w := maps.Clone(v)
			w[newProviderP+"1"] = a
			out = append(out, w)
			if maxNew < 2 {
				continue
			}
			for b := 1; b <= a; b++ { // new providers are interchangeable
				w2 := maps.Clone(w)
				w2[newProviderP+"2"] = b
				out = append(out, w2)
			}
		}
	}
	return out
}

// describe says c as changes to s: vantage points added or removed per
// provider, then the settings that change, then what the result is.
func describe(s Settings, orig map[string]int, providers []string, c candidate) string {
	var parts []string
	for _, p := range providers {
		switch d := c.counts[p] - orig[p]; {
		case d > 0:
			parts = append(parts, fmt.Sprintf("add %s on %s", vantagePoints(d), p))
		case d < 0:
			parts = append(parts, fmt.Sprintf("remove %s on %s", vantagePoints(-d), p))
		}
	}
	existing := len(providers)
	for i, p := range []string{newProviderP + "1", newProviderP + "2"} {
		if k := c.counts[p]; k > 0 {
			parts = append(parts, fmt.Sprintf("add %s on a %s provider", vantagePoints(k), ordinal(existing+i+1)))
		}
	}
	r := c.settings().Rule()
	if c.quorum != s.Quorum {
		verb := "set"
		old := s.Rule().Quorum
		switch {
		case c.quorum < old:
			verb = "lower"
		case c.quorum > old:
			verb = "raise"
		}
		parts = append(parts, fmt.Sprintf("%s SWITCHYARD_QUORUM to %d", verb, c.quorum))
	}
	if c.minProviders != s.MinProviders {
		verb := "set"
		old := s.Rule().MinProviders
		switch {
		case c.minProviders < old:
			verb = "lower"
		case c.minProviders > old:
			verb = "raise"
		}
		parts = append(parts, fmt.Sprintf("%s SWITCHYARD_MIN_PROVIDERS to %d", verb, c.minProviders))
	}
	return fmt.Sprintf("%s (then quorum %d of %d from %s)", strings.Join(parts, ", "), r.Quorum, len(r.Vantages), count(r.MinProviders, "provider"))
}

func vantagePoints(n int) string {
	if n == 1 {
		return "a vantage point"
	}
	return fmt.Sprintf("%d vantage points", n)
}

func ordinal(n int) string {
	if n >= 1 && n <= 6 {
		return []string{"first", "second", "third", "fourth", "fifth", "sixth"}[n-1]
	}
	return fmt.Sprintf("%dth", n)
}

// option is a value a setting may take, and whether that changes it.
type option struct{ value, changed int }

// options are the values a setting configured as current (0: its default
// def) may take within [lo, hi]: first as configured, when that is still
// allowed, then every other value.
func options(current, lo, hi, def int) []option {
	var out []option
	if current == 0 || (current >= lo && current <= hi) {
		out = append(out, option{current, 0})
	}
	for v := lo; v <= hi; v++ {
		if v != current && (current != 0 || v != def) {
			out = append(out, option{v, 1})
		}
	}
	return out
}
