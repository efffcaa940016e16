// Command campaign plays randomized, combined faults against switchyard's
// local world and judges every trial against a ground truth computed from
// the fault set alone (package truth) and an invariant checker run over the
// zone after every DNS write (package invariant).
//
//	go run ./test/campaign -trials 200 -seed 1
//
// It prints every failing trial with its seed, its fault set and the one
// command that replays it, then one table by fault class and a total line.
// It exits 1 when any trial failed. How fast the answers changed is a figure
// it prints, not a pass/fail test: the machine's load is part of it. See README.md beside this file.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/switchyard-dns/switchyard/infra/local/world"
	"github.com/switchyard-dns/switchyard/test/campaign/truth"
)

func main() {
	trials := flag.Int("trials", 100, "number of trials")
	seed := flag.Uint64("seed", uint64(time.Now().UnixNano()), "seed of the first trial; trial i plays seed+i")
	interval := flag.Duration("interval", 500*time.Millisecond, "probe interval of every world")
	probeTimeout := flag.Duration("probe-timeout", 0, "probe timeout of every world (0: 7/10 of the interval; the latency budget is half of it, a peer's timeout one fifth of the interval more)")
	failAfter := flag.Int("fail-after", 3, "SWITCHYARD_FAIL_AFTER of every world")
	parallel := flag.Int("parallel", 2, "worlds played at once (each world is 7 servers and 5 probe loops)")
	verbose := flag.Bool("v", false, "print every trial, not only the failing ones")
	within := flag.Duration("within", 0, "start no new trial after this long (0: no limit); the trials that fit are reported")
	logPath := flag.String("log", "", "write every world's JSON logs (debug level) to this file, to study a replayed trial")
	flag.Parse()
	if *trials < 1 || *parallel < 1 || *interval <= 0 || *failAfter < 1 {
		fmt.Fprintln(os.Stderr, "campaign: -trials, -parallel and -fail-after must be at least 1 and -interval positive")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *probeTimeout == 0 {
		*probeTimeout = *interval * 7 / 10
	}
	log := slog.New(slog.DiscardHandler)
	if *logPath != "" {
		f, err := os.Create(*logPath)
		if err != nil {
			fmt.Fprintf(os.Stderr, "campaign: -log: %v\n", err)
			os.Exit(2)
		}
		defer f.Close()
		log = slog.New(slog.NewJSONHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	o := Options{Interval: *interval, ProbeTimeout: *probeTimeout, FailAfter: *failAfter, ProdInterval: 10 * time.Second, Log: log}
	var stopAt time.Time
	if *within > 0 {
		stopAt = time.Now().Add(*within)
	}
	start := time.Now()
	results := Run(ctx, *seed, *trials, *parallel, o, os.Stdout, *verbose, stopAt)
	fmt.Println()
	fmt.Printf("campaign: %d trials from seed %d (of %d asked), interval %s, probe timeout %s, FAIL_AFTER %d, %d vantage points %v, %d worlds at a time, %s\n\n",
		len(results), *seed, *trials, *interval, *probeTimeout, *failAfter, len(world.DefaultVantages), world.DefaultVantages, *parallel, time.Since(start).Round(time.Second))
	Table(os.Stdout, results)
	bad := failed(results) > 0
	if must, mustNot := sides(results); len(results) >= 20 && (must == 0 || mustNot == 0) {
		// Zeros from a draw that never tested one side of the rule say nothing.
		fmt.Printf("%d must-switch and %d must-not-switch trials: the draw no longer covers both sides of the rule\n", must, mustNot)
		bad = true
	}
	if bad {
		os.Exit(1)
	}
}

// Run plays n trials from seed, par at a time, and reports each failing
// one (every one when verbose) to out as it ends. When stopAt is set, no
// trial starts after it: the trials started before make the result.
func Run(ctx context.Context, seed uint64, n, par int, o Options, out io.Writer, verbose bool, stopAt time.Time) []Result {
	results := make([]Result, n)
	next := make(chan int)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range par {
		wg.Go(func() {
			for i := range next {
				r := Play(ctx, Draw(seed+uint64(i), world.DefaultVantages), o)
				results[i] = r
				mu.Lock()
				if r.Failed() || verbose {
					Report(out, r)
				}
				mu.Unlock()
			}
		})
	}
feed:
	for i := range n {
		if !stopAt.IsZero() && time.Now().After(stopAt) {
			results = results[:i]
			break
		}
		select {
		case next <- i:
		case <-ctx.Done():
			results = results[:i]
			break feed
		}
	}
	close(next)
	wg.Wait()
	return results
}

// sides counts the trials the truth says must switch and must not.
func sides(results []Result) (must, mustNot int) {
	for _, r := range results {
		switch r.Verdict.Expect {
		case truth.MustSwitch:
			must++
		case truth.MustNotSwitch:
			mustNot++
		}
	}
	return must, mustNot
}

// Report prints one trial: outcome, fault set, truth, and the replay command.
func Report(out io.Writer, r Result) {
	status := "ok  "
	if r.Failed() {
		status = "FAIL"
	}
	fmt.Fprintf(out, "%s seed %d: %s (truth: %s)\n", status, r.Spec.Seed, r.Spec, r.Verdict.Expect)
	fmt.Fprintf(out, "     why: %s\n", r.Verdict.Why)
	fmt.Fprintf(out, "     saw: %d automated move(s) %s; answer changed after %s (bound %s); operator: %s\n",
		len(r.AutoMoves), movesString(r.AutoMoves), r.FaultToAnswer.Round(time.Millisecond), r.Bound.Round(time.Millisecond), orNone(r.Operator))
	for _, p := range r.Problems() {
		fmt.Fprintf(out, "     %s\n", p)
	}
	if r.Failed() {
		fmt.Fprintf(out, "     replay: %s\n", r.Replay)
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
