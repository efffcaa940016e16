// Package quorum decides, from the votes of the vantage points, whether the
// primary is down (or healthy again) and whether the standby is fit to take
// traffic. It is a pure function: no clock, no I/O.
//
// The rule is built so that a prober which lost its own network can never fail
// an origin over alone: the quorum counts all configured vantage points, peers
// that do not answer abstain (they are never counted as down), each vantage is
// counted once, and the down votes must come from several providers.
package quorum

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Vote is one vantage point's fresh observation.
type Vote struct {
	Vantage   string // provider:region
	PrimaryUp bool
	StandbyUp bool
	At        time.Time // when the observation was made
}

// Rule is the configured agreement rule.
type Rule struct {
	// Vantages are all configured vantage ids, this one included. Votes from
	// any other id are ignored.
	Vantages []string
	// Quorum is the number of votes needed, counted against all configured
	// vantage points (not against those that answered).
	Quorum int
	// MinProviders is the number of distinct providers (the part of the id
	// before ':') needed among the agreeing votes.
	MinProviders int
	// MaxAge is how old a vote may be; older or future-dated votes are ignored.
	MaxAge time.Duration
}

// Majority is the default quorum: a strict majority of n vantage points.
// It is also the least quorum allowed: down votes are never weighed against
// up votes, so with less than a majority two halves that disagree could
// each reach it.
func Majority(n int) int { return n/2 + 1 }

// DefaultMinProviders is the default number of distinct providers the down
// votes must come from, given how many providers are configured: 2 where
// there are two or more (one provider's network trouble must not look like
// the origin being down), else 1.
func DefaultMinProviders(providers int) int {
	if providers >= 2 {
		return 2
	}
	return 1
}

// Providers returns the distinct providers of vantages, sorted.
func Providers(vantages []string) []string {
	seen := map[string]bool{}
	for _, id := range vantages {
		seen[Provider(id)] = true
	}
	return sortedKeys(seen)
}

// Provider returns the provider part of a vantage id ("aws" of "aws:us-east-1").
func Provider(vantage string) string {
	p, _, _ := strings.Cut(vantage, ":")
	return p
}

// Verdict is the outcome of Decide, with the counts behind it so every
// decision can be logged and explained.
type Verdict struct {
	// PrimaryDown: at least Quorum votes say the primary is down, from at
	// least MinProviders providers.
	PrimaryDown bool
	// PrimaryUp: at least Quorum votes say the primary is healthy, from at
	// least MinProviders providers (used for automatic failback).
	PrimaryUp bool
	// StandbyUp: at least Quorum votes say the standby is healthy.
	StandbyUp bool
	// DownSpare: PrimaryDown would still hold without any one of its down
	// votes. When it is false the verdict rests on a single check, and a
	// single check can fail on its own (a latency spike, one lost packet):
	// beside a provider that went blind, that one failure would otherwise
	// be enough to switch. The vantage point asks again before acting on
	// such a verdict (vantage.decide).
	DownSpare bool

	Down, Up, StandbyHealthy int
	DownProviders            []string
	UpProviders              []string
	Counted                  []string // vantages whose vote counted
	Abstained                []string // configured vantages without a usable vote
	Ignored                  []string // "id: why" for every vote not counted
	Quorum, Configured       int
	MinProviders             int
	Reason                   string // e.g. "3/4 down (aws,gcp), standby ok 4/4"
}

// Decide applies r to votes as seen at now.
func Decide(now time.Time, votes []Vote, r Rule) Verdict {
	configured := make(map[string]bool, len(r.Vantages))
	for _, id := range r.Vantages {
		configured[id] = true
	}

	// Keep one vote per vantage: the newest usable one.
	best := make(map[string]Vote)
	var ignored []string
	for _, v := range votes {
		switch {
		case !configured[v.Vantage]:
			ignored = append(ignored, v.Vantage+": not a configured vantage point")
			continue
		case now.Sub(v.At) > r.MaxAge:
			ignored = append(ignored, fmt.Sprintf("%s: stale, %s old", v.Vantage, now.Sub(v.At).Round(time.Millisecond)))
			continue
		case v.At.Sub(now) > r.MaxAge:
			ignored = append(ignored, fmt.Sprintf("%s: dated %s in the future", v.Vantage, v.At.Sub(now).Round(time.Millisecond)))
			continue
		}
		if prev, dup := best[v.Vantage]; dup {
			ignored = append(ignored, v.Vantage+": duplicate vote, the newest counts")
			if !v.At.After(prev.At) {
				continue
			}
		}
		best[v.Vantage] = v
	}

	vd := Verdict{Quorum: r.Quorum, MinProviders: r.MinProviders, Configured: len(r.Vantages), Ignored: ignored}
	downProv := map[string]int{} // down votes per provider
	upProv := map[string]bool{}
	for _, id := range r.Vantages {
		v, ok := best[id]
		if !ok {
			vd.Abstained = append(vd.Abstained, id)
			continue
		}
		vd.Counted = append(vd.Counted, id)
		if v.PrimaryUp {
			vd.Up++
			upProv[Provider(id)] = true
		} else {
			vd.Down++
			downProv[Provider(id)]++
		}
		if v.StandbyUp {
			vd.StandbyHealthy++
		}
	}
	vd.DownProviders = make([]string, 0, len(downProv))
	for p := range downProv {
		vd.DownProviders = append(vd.DownProviders, p)
	}
	slices.Sort(vd.DownProviders)
	vd.UpProviders = sortedKeys(upProv)
	slices.Sort(vd.Abstained)
	slices.Sort(vd.Counted)

	// A quorum below one would let zero votes decide; treat it as one.
	q := max(r.Quorum, 1)
	vd.PrimaryDown = vd.Down >= q && len(vd.DownProviders) >= r.MinProviders
	vd.DownSpare = vd.PrimaryDown && vd.Down-1 >= q && spareProvider(downProv, r.MinProviders)
	vd.PrimaryUp = vd.Up >= q && len(vd.UpProviders) >= r.MinProviders
	vd.StandbyUp = vd.StandbyHealthy >= q
	vd.Reason = vd.explain(q, r.MinProviders)
	return vd
}

func (vd Verdict) explain(q, minProviders int) string {
	standby := "ok"
	if !vd.StandbyUp {
		standby = "NOT ok"
	}
	s := fmt.Sprintf("%d/%d down (%s), %d up, standby %s %d/%d, quorum %d, min providers %d",
		vd.Down, vd.Configured, strings.Join(vd.DownProviders, ","), vd.Up,
		standby, vd.StandbyHealthy, vd.Configured, q, minProviders)
	if len(vd.Abstained) > 0 {
		s += fmt.Sprintf(", %d abstained", len(vd.Abstained))
	}
	return s
}

// spareProvider reports whether the down votes still come from at least
// minProviders providers after losing any one vote: a provider with a single
// down vote drops out when that vote does.
func spareProvider(downPerProvider map[string]int, minProviders int) bool {
	if len(downPerProvider)-1 >= minProviders {
		return true
	}
	for _, n := range downPerProvider {
		if n == 1 {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
