package lambda

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/test/internal/rie"
)

// arrivals serves the canary to the Lambda vantage point alone and records
// when each of its checks of the primary arrived: the ground truth of when
// the region probed, whichever execution environment made the check.
type arrivals struct {
	mu sync.Mutex
	at []time.Time
}

func (a *arrivals) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	a.mu.Lock()
	a.at = append(a.at, time.Now())
	a.mu.Unlock()
	_, _ = io.WriteString(w, "switchyard canary v1\n") // the world's canary, which CHECK_SHA256 names
}

// gaps returns the times between consecutive checks that arrived in [from, to].
func (a *arrivals) gaps(from, to time.Time) []time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	var in []time.Time
	for _, t := range a.at {
		if !t.Before(from) && !t.After(to) {
			in = append(in, t)
		}
	}
	slices.SortFunc(in, func(x, y time.Time) int { return x.Compare(y) })
	var out []time.Duration
	for i := 1; i < len(in); i++ {
		out = append(out, in[i].Sub(in[i-1]))
	}
	return out
}

// schedule plays EventBridge and Lambda's placement: run i's scheduled
// event is sent i periods after the first plus late(i), to the first idle
// execution environment, as Lambda reuses an idle one and otherwise starts
// another. It returns when every run it started has ended, or an error
// when no environment was idle.
func schedule(envs []*rie.Emulator, event []byte, period time.Duration, runs int, late func(run int) time.Duration) error {
	busy := make([]bool, len(envs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, runs)
	start := time.Now()
	for i := range runs {
		due := time.NewTimer(time.Until(start.Add(time.Duration(i)*period + late(i))))
		<-due.C
		mu.Lock()
		j := slices.Index(busy, false)
		if j >= 0 {
			busy[j] = true
		}
		mu.Unlock()
		if j < 0 {
			wg.Wait()
			return fmt.Errorf("run %d: all %d environments busy", i+1, len(envs))
		}
		wg.Go(func() {
			if err := invoke(envs[j], event); err != nil {
				errs <- fmt.Errorf("run %d: %w", i+1, err)
			}
			mu.Lock()
			busy[j] = false
			mu.Unlock()
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// invoke is rie.Emulator.Invoke for a goroutine: it returns its error.
func invoke(e *rie.Emulator, event []byte) error {
	resp, err := http.Post(e.Endpoint+"/2015-03-31/functions/function/invocations", "application/json", bytes.NewReader(event))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"rounds"`)) {
		return fmt.Errorf("invoke: %d %s", resp.StatusCode, body)
	}
	return nil
}

// TestScheduledRunsLeaveNoBlindWindow: the schedule's minute scaled to 5 s
// (SWITCHYARD_LAMBDA_SCHEDULE), the interval to 1 s and the hand-over to
// one interval (10 s → 1 s), the timeout of 90 s to 9 s, two execution
// environments under the emulator and a scheduler sending a scheduled
// event every period. Each run makes its last regular round as the next
// run is due, so the region's checks of the primary stay one interval
// apart across every hand-over, also when a run arrives late by less than
// the hand-over. The control has no hand-over: each run stops its regular
// rounds before the next is due, and a run that arrives late leaves a
// window in which the region does not probe at all. The billed time per
// run, from the emulator's REPORT lines, is logged: about the period plus
// one round, against 1.8 periods for the 20 s (2 s scaled) hand-over before.
func TestScheduledRunsLeaveNoBlindWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("plays several scheduled minutes under the emulator")
	}
	const (
		period   = 5 * time.Second
		interval = time.Second
		runs     = 4
		lateBy   = 800 * time.Millisecond // every other run: under one hand-over
	)
	onTime := func(int) time.Duration { return 0 }
	late := func(i int) time.Duration { return time.Duration(i%2) * lateBy }
	play := func(t *testing.T, handOver time.Duration, late func(int) time.Duration) (maxGap time.Duration, all []time.Duration) {
		rec := &arrivals{}
		origin := httptest.NewServer(rec)
		t.Cleanup(origin.Close)
		_, _, env := prepare(t, 9*time.Second, func(c *config.Config) {
			c.Interval = interval
			c.LambdaSchedule, c.LambdaHandover = period, handOver
			c.PrimaryCheck = origin.URL + "/switchyard/canary.txt"
			c.PrimaryS3AccessKeyID, c.PrimaryS3SecretAccessKey = "", ""
		})
		bootstrap := rie.Build(t, "./functions/probe", "")
		envs := []*rie.Emulator{rie.Start(t, bootstrap, env), rie.Start(t, bootstrap, env)}
		start := time.Now()
		if err := schedule(envs, golden(t, "scheduled-event.json"), period, runs, late); err != nil {
			t.Fatal(err)
		}
		// From the first run's first check to the start of the last run:
		// every hand-over lies in between; the last run's own end is not one.
		all = rec.gaps(start, start.Add(time.Duration(runs-1)*period+late(runs-1)+interval))
		if len(all) < runs {
			t.Fatalf("only %d checks of the primary in %d runs", len(all)+1, runs)
		}
		billed := append(envs[0].Out.Billed(), envs[1].Out.Billed()...)
		var sum time.Duration
		for _, d := range billed {
			sum += d
		}
		if len(billed) == runs {
			t.Logf("billed per run %s on average (schedule period %s, hand-over %s): %v", (sum / runs).Round(time.Millisecond), period, handOver, billed)
		}
		return slices.Max(all), all
	}

	t.Run("runs hand over after one round: no blind window", func(t *testing.T) {
		maxGap, all := play(t, interval, onTime)
		t.Logf("%d checks across %d scheduled runs; longest gap between checks %s (interval %s)", len(all)+1, runs, maxGap.Round(time.Millisecond), interval)
		if maxGap > interval*3/2 {
			t.Errorf("the region went %s without probing (interval %s): gaps %v", maxGap.Round(time.Millisecond), interval, all)
		}
	})
	t.Run("runs late by less than the hand-over: no blind window", func(t *testing.T) {
		maxGap, all := play(t, interval, late)
		t.Logf("every other run %s late: longest gap between checks %s", lateBy, maxGap.Round(time.Millisecond))
		if maxGap > interval*3/2 {
			t.Errorf("the region went %s without probing (interval %s): gaps %v", maxGap.Round(time.Millisecond), interval, all)
		}
	})
	t.Run("control: no hand-over, runs late", func(t *testing.T) {
		maxGap, all := play(t, 0, late)
		t.Logf("no hand-over: longest gap between checks %s", maxGap.Round(time.Millisecond))
		if maxGap <= interval*3/2 {
			t.Errorf("longest gap %s with runs that stop before the next is due: the test cannot see a blind window (gaps %v)", maxGap, all)
		}
	})
}
