package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/switchyard-dns/switchyard/test/campaign/truth"
)

// Spec is one trial's fault set, drawn from its seed alone (Draw), so that
// `go run ./test/campaign -seed S -trials 1` plays the same faults again.
// The interleaving of rounds is the machine's: a replay plays the same
// faults, not necessarily the same timing.
type Spec struct {
	Seed     uint64
	Vantages []string

	Primary, Standby truth.Health
	// PrimaryPath and StandbyPath: per-vantage path faults; Loss holds the
	// loss probability of each lossy path.
	PrimaryPath, StandbyPath map[string]truth.Path
	Loss                     map[string]float64
	Dead                     []string
	// Skew: clock offsets; beyond SkewWindow they take the vantage point
	// out of every exchange.
	Skew map[string]time.Duration
	// Blip > 0: the primary answers 503 to everyone, once, FAIL_AFTER+1
	// intervals after the other faults, for Blip times the longest outage
	// that must never cause a failover, (FAIL_AFTER-1) x FAST_INTERVAL.
	Blip float64
	API  []APIFault
	// KillWriter kills the vantage point whose switch committed, the
	// instant it commits (before its read-back).
	KillWriter bool
	// Manual, when set, is the side an operator moves the record to (and
	// pins), ManualAfter after the faults: racing automation.
	Manual      string
	ManualAfter time.Duration
	// Second is a fault played the instant the first switch commits.
	Second string
}

// SkewWindow is the local world's SWITCHYARD_CLOCK_SKEW.
const SkewWindow = 30 * time.Second

// APIFault is one DNS API fault, hitting Times requests.
type APIFault struct {
	Kind  string // 429, 5xx, timeout, reset, reset-after-commit, late-commit
	Times int
}

// Second faults.
const (
	SecondPrimaryRecovers = "primary recovers"
	SecondStandbyFails    = "standby fails"
	SecondVantageDies     = "another vantage dies"
	SecondAPIFails        = "DNS API answers 502 to every batch"
)

var apiKinds = []string{"429", "5xx", "timeout", "reset", "reset-after-commit", "late-commit"}

// Draw returns the fault set of seed for vantages.
func Draw(seed uint64, vantages []string) Spec {
	rng := rand.New(rand.NewPCG(seed, 0x5157c4a7d))
	s := Spec{Seed: seed, Vantages: vantages, PrimaryPath: map[string]truth.Path{}, StandbyPath: map[string]truth.Path{},
		Loss: map[string]float64{}, Skew: map[string]time.Duration{}}
	pick := func(weights map[truth.Health]int) truth.Health {
		keys := slices.Sorted(func(yield func(truth.Health) bool) {
			for k := range weights {
				if !yield(k) {
					return
				}
			}
		})
		total := 0
		for _, k := range keys {
			total += weights[k]
		}
		n := rng.IntN(total)
		for _, k := range keys {
			if n < weights[k] {
				return k
			}
			n -= weights[k]
		}
		return truth.Healthy
	}
	s.Primary = pick(map[truth.Health]int{truth.Healthy: 45, truth.Down: 12, truth.Hang: 10, truth.WrongBody: 10, truth.Slow: 10, truth.SlowOK: 8})
	s.Standby = pick(map[truth.Health]int{truth.Healthy: 80, truth.Down: 4, truth.Hang: 4, truth.WrongBody: 4, truth.Slow: 3, truth.SlowOK: 5})

	provs := providerList(vantages)
	// A whole provider blind or dead: the incidents the topology must survive.
	switch x := rng.IntN(100); {
	case x < 18:
		p := provs[rng.IntN(len(provs))]
		for _, id := range vantages {
			if provider(id) == p {
				s.PrimaryPath[id] = truth.Cut
			}
		}
	case x < 30:
		p := provs[rng.IntN(len(provs))]
		for _, id := range vantages {
			if provider(id) == p {
				s.Dead = append(s.Dead, id)
			}
		}
	}
	for _, id := range vantages {
		if _, set := s.PrimaryPath[id]; set || slices.Contains(s.Dead, id) {
			continue
		}
		switch x := rng.IntN(100); {
		case x < 6:
			s.Dead = append(s.Dead, id)
		case x < 20:
			s.PrimaryPath[id] = truth.Cut
		case x < 27:
			s.PrimaryPath[id] = truth.Lossy
			s.Loss[id] = 0.3 + 0.4*rng.Float64()
		case x < 34:
			s.PrimaryPath[id] = truth.Slowed
		case x < 40:
			s.PrimaryPath[id] = truth.Lagged
		}
		if rng.IntN(100) < 5 {
			s.StandbyPath[id] = truth.Cut
		}
	}
	if len(s.Dead) == len(vantages) {
		s.Dead = s.Dead[1:]
	}
	switch x := rng.IntN(100); {
	case x < 10: // within the window: must change nothing
		for _, id := range vantages {
			if rng.IntN(2) == 0 {
				s.Skew[id] = time.Duration(rng.IntN(40)-20) * time.Second
			}
		}
	case x < 17: // beyond: that vantage point drops out of every exchange
		id := vantages[rng.IntN(len(vantages))]
		d := time.Duration(60+rng.IntN(180)) * time.Second
		if rng.IntN(2) == 0 {
			d = -d
		}
		s.Skew[id] = d
	}
	if !s.Primary.Fails() && rng.IntN(100) < 25 {
		// Mostly well inside the documented blip tolerance (must not
		// switch alone); sometimes beyond it (a short outage: either).
		s.Blip = 0.2 + 0.5*rng.Float64()
		if rng.IntN(5) == 0 {
			s.Blip = 1 + 2*rng.Float64()
		}
	}
	if rng.IntN(100) < 30 {
		for range 1 + rng.IntN(2) {
			s.API = append(s.API, APIFault{Kind: apiKinds[rng.IntN(len(apiKinds))], Times: 1 + rng.IntN(2)})
		}
	}
	s.KillWriter = rng.IntN(100) < 10
	if rng.IntN(100) < 10 {
		s.Manual = []string{"primary", "standby"}[rng.IntN(2)]
		s.ManualAfter = time.Duration(rng.IntN(1000)) * time.Millisecond
	}
	if rng.IntN(100) < 15 {
		s.Second = []string{SecondPrimaryRecovers, SecondStandbyFails, SecondVantageDies, SecondAPIFails}[rng.IntN(4)]
	}
	return s
}

// BlipFor is how long the blip lasts under r.
func (s Spec) BlipFor(r truth.Rule) time.Duration {
	return time.Duration(s.Blip * float64(r.BlipSafe()))
}

// Truth is the fault set as the ground truth sees it under r.
func (s Spec) Truth(r truth.Rule) truth.Faults {
	f := truth.Faults{Primary: s.Primary, Standby: s.Standby, PrimaryPath: s.PrimaryPath, StandbyPath: s.StandbyPath,
		Dead: s.Dead, Blip: s.BlipFor(r), Pin: s.Manual}
	for _, id := range slices.Sorted(mapKeys(s.Skew)) {
		if d := s.Skew[id]; d > SkewWindow || d < -SkewWindow {
			f.Skewed = append(f.Skewed, id)
		}
	}
	return f
}

// Classes are the fault classes of s, the rows of the table it counts in.
func (s Spec) Classes() []string {
	var cs []string
	add := func(c string) {
		if !slices.Contains(cs, c) {
			cs = append(cs, c)
		}
	}
	if s.Primary != truth.Healthy {
		add("primary " + string(s.Primary))
	}
	if s.Standby != truth.Healthy {
		add("standby " + string(s.Standby))
	}
	for _, p := range providerList(s.Vantages) {
		all, dead := true, true
		for _, id := range s.Vantages {
			if provider(id) == p {
				all = all && s.PrimaryPath[id] == truth.Cut
				dead = dead && slices.Contains(s.Dead, id)
			}
		}
		if all {
			add("whole provider blind")
		}
		if dead {
			add("whole provider dead")
		}
	}
	for _, id := range s.Vantages {
		switch s.PrimaryPath[id] {
		case truth.Cut:
			add("vantage cut from primary")
		case truth.Lossy:
			add("lossy path to primary")
		case truth.Slowed:
			add("path latency above budget")
		case truth.Lagged:
			add("path latency below budget")
		}
		if s.StandbyPath[id] == truth.Cut {
			add("vantage cut from standby")
		}
	}
	if len(s.Dead) > 0 {
		add("vantage dead")
	}
	if len(s.Skew) > 0 {
		if slices.ContainsFunc(mapValues(s.Skew), func(d time.Duration) bool { return d > SkewWindow || d < -SkewWindow }) {
			add("clock skew beyond window")
		} else {
			add("clock skew within window")
		}
	}
	if s.Blip > 0 {
		add("primary blip")
	}
	for _, a := range s.API {
		add("DNS API " + a.Kind)
	}
	if s.KillWriter {
		add("decider killed after commit")
	}
	if s.Manual != "" {
		add("operator pins " + s.Manual + " racing automation")
	}
	if s.Second != "" {
		add("second fault during switch")
	}
	if len(cs) == 0 {
		add("no fault")
	}
	return cs
}

// String lists the fault set in words, for a failing trial's report.
func (s Spec) String() string {
	var parts []string
	parts = append(parts, "primary "+string(s.Primary), "standby "+string(s.Standby))
	for _, id := range s.Vantages {
		var fs []string
		switch p := s.PrimaryPath[id]; p {
		case truth.Clear:
		case truth.Lossy:
			fs = append(fs, fmt.Sprintf("primary path lossy %.0f%%", 100*s.Loss[id]))
		default:
			fs = append(fs, "primary path "+string(p))
		}
		if p := s.StandbyPath[id]; p != truth.Clear {
			fs = append(fs, "standby path "+string(p))
		}
		if slices.Contains(s.Dead, id) {
			fs = append(fs, "dead")
		}
		if d, ok := s.Skew[id]; ok {
			fs = append(fs, "clock "+signed(d))
		}
		if len(fs) > 0 {
			parts = append(parts, id+": "+strings.Join(fs, ", "))
		}
	}
	if s.Blip > 0 {
		parts = append(parts, fmt.Sprintf("primary blip %.2f x (FAIL_AFTER-1) x FAST_INTERVAL", s.Blip))
	}
	for _, a := range s.API {
		parts = append(parts, fmt.Sprintf("DNS API %s ×%d", a.Kind, a.Times))
	}
	if s.KillWriter {
		parts = append(parts, "writer killed at commit")
	}
	if s.Manual != "" {
		parts = append(parts, fmt.Sprintf("operator pins %s after %s", s.Manual, s.ManualAfter))
	}
	if s.Second != "" {
		parts = append(parts, "at the switch: "+s.Second)
	}
	return strings.Join(parts, "; ")
}

func signed(d time.Duration) string {
	if d >= 0 {
		return "+" + d.String()
	}
	return d.String()
}

func provider(id string) string {
	p, _, _ := strings.Cut(id, ":")
	return p
}

func providerList(ids []string) []string {
	var ps []string
	for _, id := range ids {
		if p := provider(id); !slices.Contains(ps, p) {
			ps = append(ps, p)
		}
	}
	return ps
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func mapValues[V any](m map[string]V) []V {
	var vs []V
	for _, v := range m {
		vs = append(vs, v)
	}
	return vs
}
