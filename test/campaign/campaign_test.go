package main

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/infra/local/world"
	"github.com/switchyard-dns/switchyard/test/campaign/truth"
)

// keptOptions is the timing the kept seeds play at under go test: twice
// the campaign's 500 ms interval, because go test runs them beside every
// other package under the race detector, and what they guard is a
// decision, not a time. Every failure counts. The campaign itself runs
// alone, after go test (scripts/test).
var keptOptions = Options{Interval: time.Second, ProbeTimeout: 700 * time.Millisecond, FailAfter: 3,
	ProdInterval: 10 * time.Second, Log: slog.New(slog.DiscardHandler)}

// kept are the seeds of trials that once failed, each with the topology it
// was drawn for and what it found; they play again on every run. A replayed
// seed plays the same faults, not necessarily the same interleaving, so each
// is kept for the fault set that exposed a defect.
var kept = []struct {
	seed     uint64
	vantages []string
	found    string
}{
	{2028, fourVantages, "a primary serving wrong bytes was never failed over: parity blamed the standby (issue 10, defect 2; fixed by parity as a failover input)"},
	{2031, fourVantages, "the same, with the primary recovering at the switch"},
}

// fourVantages is the local world's topology before it grew to five.
var fourVantages = []string{"aws:us-east-1", "aws:us-west-2", "aws:eu-west-1", "gcp:europe-west1"}

func TestKeptSeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("plays local worlds")
	}
	for _, k := range kept {
		t.Run(strconv.FormatUint(k.seed, 10), func(t *testing.T) {
			t.Parallel()
			r := Play(context.Background(), Draw(k.seed, k.vantages), keptOptions)
			if r.Failed() {
				var b strings.Builder
				Report(&b, r)
				t.Errorf("kept seed %d (found: %s) fails again:\n%s", k.seed, k.found, b.String())
			}
		})
	}
}

// TestDrawIsDeterministic: a seed is a replayable fault set.
func TestDrawIsDeterministic(t *testing.T) {
	for seed := range uint64(200) {
		a, b := Draw(seed, world.DefaultVantages), Draw(seed, world.DefaultVantages)
		if a.String() != b.String() {
			t.Fatalf("seed %d drew %q and then %q", seed, a, b)
		}
	}
}

// TestDrawCoversTheFaultSpace: over a few hundred seeds every fault class
// and every ground-truth answer comes up.
func TestDrawCoversTheFaultSpace(t *testing.T) {
	seen := map[string]int{}
	expects := map[truth.Expect]int{}
	rule := truth.Rule{Vantages: world.DefaultVantages, FailAfter: 3, FastInterval: 60 * time.Millisecond}
	for seed := range uint64(600) {
		s := Draw(seed, world.DefaultVantages)
		for _, c := range s.Classes() {
			seen[c]++
		}
		expects[truth.Judge(rule, s.Truth(rule)).Expect]++
	}
	for _, c := range []string{"primary 503", "primary hang", "primary wrong-body", "primary slow", "primary slow-ok",
		"standby 503", "standby hang", "standby wrong-body", "standby slow",
		"whole provider blind", "whole provider dead", "vantage cut from primary", "vantage cut from standby", "vantage dead",
		"lossy path to primary", "path latency above budget", "path latency below budget",
		"clock skew within window", "clock skew beyond window", "primary blip",
		"DNS API 429", "DNS API 5xx", "DNS API timeout", "DNS API reset", "DNS API reset-after-commit", "DNS API late-commit",
		"decider killed after commit", "operator pins primary racing automation", "operator pins standby racing automation",
		"second fault during switch"} {
		if seen[c] == 0 {
			t.Errorf("no trial of class %q in 600 seeds", c)
		}
	}
	for _, e := range []truth.Expect{truth.MustSwitch, truth.MustNotSwitch, truth.Either} {
		if expects[e] < 30 {
			t.Errorf("%d of 600 trials %s: too few to measure", expects[e], e)
		}
	}
	t.Logf("truth over 600 seeds: %v", expects)
}
