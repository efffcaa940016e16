// Command bench measures the local world: how fast a real outage changes the
// authoritative DNS answer, and whether single-vantage faults ever cause a
// switch. It is a benchmark, not a test: it prints the figures in test/bench/README.md.
//
//	go run ./test/bench [-outages 20] [-trials 200] [-interval 200ms] [-seed N]
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/scenario"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

func main() {
	outages := flag.Int("outages", 20, "primary outages to time")
	trials := flag.Int("trials", 200, "randomized single-vantage fault trials")
	interval := flag.Duration("interval", 200*time.Millisecond, "probe interval")
	seed := flag.Uint64("seed", uint64(time.Now().UnixNano()), "random seed for the fault trials")
	flag.Parse()
	ctx := context.Background()
	for _, name := range []string{"primary-outage", "primary-blackhole"} {
		if err := timeOutages(ctx, name, *outages, *interval); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
	}
	if err := faultTrials(ctx, *trials, *interval, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// timeOutages plays scenario name n times and prints how long the fault
// took to reach authoritative DNS.
func timeOutages(ctx context.Context, name string, n int, interval time.Duration) error {
	sc, err := scenario.Find(name)
	if err != nil {
		return err
	}
	var elapsed []time.Duration
	var bound time.Duration
	start := time.Now()
	for i := range n {
		out := scenario.Play(ctx, sc, world.Options{Interval: interval}, scenario.NewRecorder(nil))
		if out.Err != nil {
			return fmt.Errorf("%s run %d: %w", name, i+1, out.Err)
		}
		elapsed = append(elapsed, out.Elapsed[0])
		bound = out.Bound
	}
	slices.Sort(elapsed)
	fmt.Printf("%s (%s), %d runs, interval %s, FAIL_AFTER 3, probe timeout %s (%s total)\n",
		name, sc.About, n, interval, interval*3/5, time.Since(start).Round(time.Second))
	fmt.Printf("  fault → authoritative DNS answer changed: p50 %dms  p95 %dms  max %dms\n",
		pct(elapsed, 50).Milliseconds(), pct(elapsed, 95).Milliseconds(), elapsed[len(elapsed)-1].Milliseconds())
	fmt.Printf("  bound K·I + 2T + one API write (budget I): %dms  → p95 within bound: %v\n",
		bound.Milliseconds(), pct(elapsed, 95) <= bound)
	return nil
}

func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}

// faultTrials injects one fault on one random vantage point per trial and
// counts the trials that led to a switch. The goal is zero.
func faultTrials(ctx context.Context, n int, interval time.Duration, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	kinds := []string{"cut", "loss30", "slow"}
	counts := map[string]int{}
	switched := map[string]int{}
	start := time.Now()
	for i := range n {
		kind := kinds[rng.IntN(len(kinds))]
		rec := scenario.NewRecorder(nil)
		w, err := world.Start(ctx, world.Options{Interval: interval, Events: rec.Record})
		if err != nil {
			return err
		}
		st := &scenario.Stage{W: w, R: rec}
		if err := st.Steady(ctx); err != nil {
			w.Close()
			return fmt.Errorf("trial %d: %w", i+1, err)
		}
		node := w.Nodes[rng.IntN(len(w.Nodes))]
		primary := hostOf(w.Primary.URL())
		mark := rec.Mark()
		switch kind {
		case "cut":
			node.Net.Cut(primary)
		case "loss30":
			node.Net.Loss(primary, 0.3, rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())))
		case "slow":
			// Slower than the latency budget but below the probe timeout.
			budget, timeout := node.Config.LatencyBudget, node.Config.ProbeTimeout
			node.Net.Delay(primary, budget+time.Duration(rng.Int64N(int64(timeout-budget))))
		}
		// Long enough for the faulty vantage to suspect and be refused.
		err = st.Rounds(ctx, node.Config.FailAfter+4)
		evs := rec.Since(mark)
		w.Close()
		if err != nil {
			return fmt.Errorf("trial %d (%s on %s): %w", i+1, kind, node.ID, err)
		}
		counts[kind]++
		if scenario.Count(evs, scenario.Kind(vantage.EventSwitched, "")) > 0 {
			switched[kind]++
		}
	}
	total := 0
	for _, k := range kinds {
		total += switched[k]
	}
	fmt.Printf("single-vantage faults, %d trials, seed %d (%s total)\n", n, seed, time.Since(start).Round(time.Second))
	for _, k := range kinds {
		fmt.Printf("  %-7s %3d trials, %d switched\n", k, counts[k], switched[k])
	}
	fmt.Printf("  switches caused by a single vantage point's fault: %d of %d\n", total, n)
	return nil
}

func hostOf(u string) string {
	for i := len("http://"); i < len(u); i++ {
		if u[i] == '/' {
			return u[len("http://"):i]
		}
	}
	return u[len("http://"):]
}
