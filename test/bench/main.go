// Command bench measures the local world: how fast a real outage changes the
// authoritative DNS answer (and, with -resolver, the answer a client gets
// through a real caching resolver), that outages shorter than the stated
// shortest one never switch, how many write batches a switch costs, and
// whether single-vantage faults ever cause a switch. It is a benchmark, not
// a test: it prints figures for test/bench/README.md.
//
//	go run ./test/bench [-interval 1s] [-outages 20] [-blips 200] [-trials 0] [-resolver 0] [-seed N]
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/scenario"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// failAfter is SWITCHYARD_FAIL_AFTER's default; the interval's other
// companions are scaled from the production defaults (10 s, fast 2 s,
// probe timeout 3 s).
const failAfter = 3

func main() {
	interval := flag.Duration("interval", time.Second, "probe interval; the fast interval is a fifth of it and the probe timeout 3/10, as at the production defaults")
	outages := flag.Int("outages", 20, "primary outages to time, per kind (503 and hang)")
	blips := flag.Int("blips", 200, "outages shorter than the shortest that can fail over, at random phases")
	trials := flag.Int("trials", 0, "single-vantage fault trials, each in a fresh world (200 take about 6 minutes)")
	resolver := flag.Int("resolver", 0, "outages timed through a caching resolver (Debian's unbound), each up to a TTL long")
	seed := flag.Uint64("seed", uint64(time.Now().UnixNano()), "random seed")
	flag.Parse()
	rng := rand.New(rand.NewPCG(*seed, *seed^0x5eed))
	o := options(*interval)
	fmt.Printf("interval %s, fast interval %s, probe timeout %s, FAIL_AFTER %d, seed %d\n",
		o.Interval, o.FastInterval, o.ProbeTimeout, o.FailAfter, *seed)
	ctx := context.Background()
	run := func(err error) {
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
	}
	for _, k := range kinds {
		if *outages > 0 {
			run(timeOutages(ctx, o, k, *outages, rng))
		}
	}
	if *blips > 0 {
		run(blipTrials(ctx, o, *blips, rng))
	}
	if *resolver > 0 {
		run(throughResolver(ctx, o, *resolver, rng))
	}
	if *trials > 0 {
		run(faultTrials(ctx, o, *trials, rng))
	}
}

func options(interval time.Duration) world.Options {
	return world.Options{
		Interval:     interval,
		FastInterval: interval / 5,
		ProbeTimeout: interval * 3 / 10,
		FailAfter:    failAfter,
	}
}

// kind is one way the primary fails for everyone.
type kind struct {
	name       string
	fail, heal func(w *world.World)
}

var kinds = []kind{
	{"503", func(w *world.World) { w.Primary.SetDown(true) }, func(w *world.World) { w.Primary.SetDown(false) }},
	{"hang", func(w *world.World) { w.Primary.SetDelay(time.Hour) }, func(w *world.World) { w.Primary.SetDelay(0) }},
}

// bound is README's, failover.DetectionBound, with one interval allowed
// for the API write; the same for every kind of outage.
func bound(o world.Options, _ kind) time.Duration {
	return failover.DetectionBound(o.Interval, o.FastInterval, o.FailAfter, o.ProbeTimeout, o.Interval)
}

// steadyWorld starts a world and waits until every vantage point sees both
// origins healthy.
func steadyWorld(ctx context.Context, o world.Options) (*world.World, *scenario.Stage, error) {
	rec := scenario.NewRecorder(nil)
	o.Events = rec.Record
	w, err := world.Start(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	st := &scenario.Stage{W: w, R: rec}
	if err := st.Steady(ctx); err != nil {
		w.Close()
		return nil, nil, err
	}
	return w, st, nil
}

// randomPhase sleeps for a uniformly random part of an interval, so that
// the next fault lands at a random phase of the probe schedule.
func randomPhase(rng *rand.Rand, interval time.Duration) {
	time.Sleep(time.Duration(rng.Int64N(int64(interval))))
}

// timeOutages starts a fresh world per outage, injects the fault at a
// random phase and times fault → authoritative answer changed. It counts
// the write batches each switch sent to the Cloudflare-compatible API.
func timeOutages(ctx context.Context, o world.Options, k kind, n int, rng *rand.Rand) error {
	var elapsed []time.Duration
	var batches []int
	start := time.Now()
	for i := range n {
		w, st, err := steadyWorld(ctx, o)
		if err != nil {
			return fmt.Errorf("%s outage %d: %w", k.name, i+1, err)
		}
		randomPhase(rng, o.Interval)
		before := batchCount(w)
		st.Inject(k.name, func() { k.fail(w) })
		err = st.ExpectFailover(ctx)
		if err == nil {
			elapsed = append(elapsed, st.Elapsed[0])
			// Let every vantage point finish its round: late writers would show here.
			err = st.Rounds(ctx, 2)
			batches = append(batches, batchCount(w)-before)
		}
		w.Close()
		if err != nil {
			return fmt.Errorf("%s outage %d: %w", k.name, i+1, err)
		}
	}
	b := bound(o, k)
	r53 := time.Duration(o.FailAfter) * o.Interval
	fmt.Printf("\nprimary %s for everyone, %d outages at random phases (%s)\n", k.name, n, time.Since(start).Round(time.Second))
	printDist("fault → authoritative answer changed", elapsed, o.Interval)
	fmt.Printf("  README bound I + (K-1)·max(F,T) + 3T + one write (I): %s = %.2f I → p95 within bound: %v\n",
		secs(b), ratio(b, o.Interval), pct(elapsed, 95) <= b)
	fmt.Printf("  Route 53 at the same settings, interval × threshold: %s = %.2f I (detection only, before its DNS change)\n", secs(r53), ratio(r53, o.Interval))
	byCount := map[int]int{}
	for _, b := range batches {
		byCount[b]++
	}
	fmt.Printf("  write batches per switch: %d switches took 1, %d took 2, %d took more (one writer per switch)\n",
		byCount[1], byCount[2], len(batches)-byCount[1]-byCount[2])
	return nil
}

func printDist(what string, d []time.Duration, interval time.Duration) {
	slices.Sort(d)
	p50, p95, mx := pct(d, 50), pct(d, 95), d[len(d)-1]
	fmt.Printf("  %s: p50 %s  p95 %s  max %s  (%.2f / %.2f / %.2f intervals)\n",
		what, secs(p50), secs(p95), secs(mx), ratio(p50, interval), ratio(p95, interval), ratio(mx, interval))
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

func ratio(d, interval time.Duration) float64 { return float64(d) / float64(interval) }

func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}

// batchCount counts the write batches the world's Cloudflare-compatible
// service has answered.
func batchCount(w *world.World) int {
	n := 0
	for _, c := range w.CF.Calls() {
		if c.Method == "POST" && strings.HasSuffix(c.Path, "/dns_records/batch") {
			n++
		}
	}
	return n
}

// blipTrials plays n outages shorter than the shortest that can cause a
// failover, (FAIL_AFTER-1) × FAST_INTERVAL, in one world, each at a random
// phase, alternating 503 and hang, and counts switches: the goal is zero.
// Lengths are drawn up to 90 % of that: a check is judged when its request
// reaches the origin, and on a loaded machine that moment wanders by a few
// milliseconds from the schedule.
func blipTrials(ctx context.Context, o world.Options, n int, rng *rand.Rand) error {
	shortest := time.Duration(o.FailAfter-1) * o.FastInterval
	w, st, err := steadyWorld(ctx, o)
	if err != nil {
		return err
	}
	defer w.Close()
	mark := st.R.Mark()
	start := time.Now()
	var longest time.Duration
	counts := map[string]int{}
	for i := range n {
		k := kinds[i%len(kinds)]
		blip := time.Duration(rng.Int64N(int64(shortest) * 9 / 10))
		longest = max(longest, blip)
		randomPhase(rng, o.Interval)
		k.fail(w)
		time.Sleep(blip)
		k.heal(w)
		counts[k.name]++
		// Every vantage point ends its streak with a healthy round before the next.
		if err := st.Rounds(ctx, 2); err != nil {
			return fmt.Errorf("blip %d: %w", i+1, err)
		}
	}
	switches := scenario.Count(st.R.Since(mark), scenario.Kind(vantage.EventSwitched, ""))
	fmt.Printf("\noutages shorter than (FAIL_AFTER-1) × FAST_INTERVAL = %s, %d at random phases (%d 503, %d hang; longest %s; %s)\n",
		shortest, n, counts["503"], counts["hang"], longest.Round(time.Millisecond), time.Since(start).Round(time.Second))
	fmt.Printf("  switches: %d (authoritative answer now %s)\n", switches, w.CurrentAnswer())
	return nil
}

// faultTrials injects one fault on one random vantage point per trial and
// counts the trials that led to a switch. The goal is zero.
func faultTrials(ctx context.Context, o world.Options, n int, rng *rand.Rand) error {
	names := []string{"cut", "loss30", "slow"}
	counts := map[string]int{}
	switched := map[string]int{}
	start := time.Now()
	for i := range n {
		name := names[rng.IntN(len(names))]
		w, st, err := steadyWorld(ctx, o)
		if err != nil {
			return fmt.Errorf("trial %d: %w", i+1, err)
		}
		node := w.Nodes[rng.IntN(len(w.Nodes))]
		primary := hostOf(w.Primary.URL())
		mark := st.R.Mark()
		switch name {
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
		evs := st.R.Since(mark)
		w.Close()
		if err != nil {
			return fmt.Errorf("trial %d (%s on %s): %w", i+1, name, node.ID, err)
		}
		counts[name]++
		if scenario.Count(evs, scenario.Kind(vantage.EventSwitched, "")) > 0 {
			switched[name]++
		}
	}
	total := 0
	for _, k := range names {
		total += switched[k]
	}
	fmt.Printf("\nsingle-vantage faults, %d trials (%s)\n", n, time.Since(start).Round(time.Second))
	for _, k := range names {
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
