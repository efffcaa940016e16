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

// schedule plays EventBridge and Lambda's placement: every period it sends
// a scheduled event to the first idle execution environment, as Lambda
// reuses an idle one and otherwise starts another. It returns when every
// run it started has ended, or an error when no environment was idle.
func schedule(envs []*rie.Emulator, event []byte, period time.Duration, runs int) error {
	busy := make([]bool, len(envs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, runs)
	tick := time.NewTicker(period)
	defer tick.Stop()
	for i := range runs {
		if i > 0 {
			<-tick.C
		}
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
// and the interval to 1 s, two execution environments under the emulator
// and a scheduler sending a scheduled event every period. With the
// template's timeout scaled alike (90 s for a 60 s schedule → 9 s for 5 s),
// each run goes on past the next run's start, so the region's checks of the
// primary stay one interval apart across every hand-over. The control runs
// with the old timeout (58 s for 60 s → 5 s): each run returned early and
// left a window in which the region did not probe at all.
func TestScheduledRunsLeaveNoBlindWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("plays several scheduled minutes under the emulator")
	}
	const (
		period   = 5 * time.Second
		interval = time.Second
		runs     = 4
	)
	play := func(t *testing.T, timeout time.Duration) (maxGap time.Duration, all []time.Duration) {
		rec := &arrivals{}
		origin := httptest.NewServer(rec)
		t.Cleanup(origin.Close)
		_, _, env := prepare(t, timeout, func(c *config.Config) {
			c.Interval = interval
			c.PrimaryCheck = origin.URL + "/switchyard/canary.txt"
			c.PrimaryS3AccessKeyID, c.PrimaryS3SecretAccessKey = "", ""
		})
		bootstrap := rie.Build(t, "./functions/probe", "")
		envs := []*rie.Emulator{rie.Start(t, bootstrap, env), rie.Start(t, bootstrap, env)}
		start := time.Now()
		if err := schedule(envs, golden(t, "scheduled-event.json"), period, runs); err != nil {
			t.Fatal(err)
		}
		// From the first run's first check to the start of the last run:
		// every hand-over lies in between; the last run's own end is not one.
		all = rec.gaps(start, start.Add(time.Duration(runs-1)*period+interval))
		if len(all) < runs {
			t.Fatalf("only %d checks of the primary in %d runs", len(all)+1, runs)
		}
		return slices.Max(all), all
	}

	t.Run("runs overlap: no blind window", func(t *testing.T) {
		maxGap, all := play(t, 9*time.Second)
		t.Logf("%d checks across %d scheduled runs; longest gap between checks %s (interval %s)", len(all)+1, runs, maxGap.Round(time.Millisecond), interval)
		if maxGap > interval*3/2 {
			t.Errorf("the region went %s without probing (interval %s): gaps %v", maxGap.Round(time.Millisecond), interval, all)
		}
	})
	t.Run("control: runs end before the next starts", func(t *testing.T) {
		maxGap, all := play(t, 5*time.Second)
		t.Logf("old timeout: longest gap between checks %s", maxGap.Round(time.Millisecond))
		if maxGap <= 2*interval {
			t.Errorf("longest gap %s with runs shorter than the schedule: the test cannot see a blind window (gaps %v)", maxGap, all)
		}
	})
}
