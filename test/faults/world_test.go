package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
	"github.com/switchyard-dns/switchyard/infra/local/scenario"
	"github.com/switchyard-dns/switchyard/infra/local/world"
	"github.com/switchyard-dns/switchyard/test/campaign/invariant"
)

// interval is the probe interval of the world tests: short, so a whole
// campaign fits in CI.
const interval = 100 * time.Millisecond

// scenarioInterval is the probe interval of TestScenarios. Its five
// vantage points each check two origins (SigV4-signed S3 requests) every
// round, and on suspicion all ask all at once: twenty signed observations,
// forty checks. At 100 ms (60 ms probe timeout, 30 ms latency budget, 80 ms
// peer timeout) a 2-core machine running the suite under -race misses
// those deadlines: checks fail before any fault, peers abstain, no quorum.
// The scenarios assert behaviour, so they run where the deadlines hold
// (at 300 ms a healthy check still overran its 90 ms budget now and then
// under -race, a down vote no fault caused); the figures are test/bench's.
const scenarioInterval = 500 * time.Millisecond

// Cloudflare's documented limit, per user, across every vantage point.
const (
	apiBudget       = 1200
	apiBudgetWindow = 5 * time.Minute
	prodInterval    = 10 * time.Second // SWITCHYARD_INTERVAL's default
)

// leaks lists every secret of w that a log line, event, error, status
// page or HTTP answer must never hold.
func leaks(w *world.World) []string {
	return w.Secrets()
}

func scanForSecrets(t *testing.T, what, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s holds a secret (%d chars)", what, len(s))
		}
	}
}

// statusPages fetches every live node's /status and /healthz.
func statusPages(ctx context.Context, t *testing.T, w *world.World) string {
	t.Helper()
	var b strings.Builder
	for _, n := range w.Nodes {
		if n.Vantage == nil {
			continue
		}
		for _, path := range []string{"/status", "/healthz"} {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, n.URL+path, nil)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Errorf("%s%s: %v", n.ID, path, err)
				continue
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			b.Write(body)
		}
	}
	return b.String()
}

// TestScenarios plays every scenario of the local world with JSON logs at
// debug level, and checks for each: the scenario's own expectations (switch
// on a real outage, never on one cut-off prober, a failover at once after a
// failback and a doubled dwell when flapping, no failback before
// RECOVER_AFTER and the dwell),
// that the state generation moved exactly once per switch, that no secret
// appears in any log line, event, /status page or error, and the DNS API
// request rate, projected to the production interval.
func TestScenarios(t *testing.T) {
	for _, sc := range scenario.All {
		t.Run(sc.Name, func(t *testing.T) {
			logs := &syncBuffer{}
			rec := scenario.NewRecorder(nil)
			var secrets []string
			var pages string
			var final seen
			var api *cloudflareapi.Server
			var inv *invariant.Checker
			vantages := 0
			// The row is reported however the test ends, t.Fatal included
			// (checkRecords stops a scenario whose records broke): its
			// figures are counted from what happened, never left at 0.
			var row *Row
			defer func() {
				if api == nil {
					return // not played: nothing to count
				}
				if row == nil {
					events := rec.Events()
					row = &Row{Fault: "Scenario: " + sc.Name, Injected: sc.About, Trials: 1,
						Switches:      scenario.Count(events, scenario.Kind(world.EventDNSChanged, "")),
						FalseSwitches: falseSwitches(events, vantages, interval), RecordsLost: recordsLost(inv, api),
						Held: "SCENARIO STOPPED: see the test's failure"}
				}
				report(t, *row)
			}()
			play := sc
			play.Play = func(ctx context.Context, s *scenario.Stage) error {
				secrets, api, vantages = leaks(s.W), s.W.CF, len(s.W.Nodes)
				inv = watch(s.W.CF)
				err := sc.Play(ctx, s)
				pages = statusPages(ctx, t, s.W)
				final = checkRecords(t, s.W.CF.Records())
				// DNS answers before the writer has read back and told:
				// wait for its switched event.
				wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				if werr := s.R.WaitFor(wctx, 0, "a switched event per generation", func(evs []world.Event) bool {
					return uint64(scenario.Count(evs, scenario.Kind(vantage.EventSwitched, ""))) >= final.Gen
				}); werr != nil && err == nil {
					err = werr
				}
				return err
			}
			o := world.Options{Interval: scenarioInterval, Log: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
			out := scenario.Play(context.Background(), play, o, rec)
			if api == nil {
				t.Fatalf("%s: not played: %v", sc.Name, out.Err)
			}
			if out.Err != nil {
				// Carry on: the row's figures are counted even for a
				// failing scenario, so a broken build shows in them.
				t.Errorf("%s: %v", sc.Name, out.Err)
			}
			events := rec.Events()
			evJSON, _ := json.Marshal(events)
			scanForSecrets(t, "the logs", logs.String(), secrets)
			scanForSecrets(t, "the events", string(evJSON), secrets)
			scanForSecrets(t, "the /status pages", pages, secrets)

			switches, dnsChanges, rounds := 0, 0, 0
			var lastChange time.Time
			minGap := time.Duration(0)
			for _, e := range events {
				switch e.Kind {
				case vantage.EventSwitched:
					switches++
				case world.EventDNSChanged:
					if !lastChange.IsZero() && (minGap == 0 || e.At.Sub(lastChange) < minGap) {
						minGap = e.At.Sub(lastChange)
					}
					lastChange = e.At
					dnsChanges++
				case vantage.EventRound:
					rounds++
				}
			}
			if uint64(switches) != final.Gen {
				t.Errorf("%d switch events but the state is at gen %d: want one generation per switch", switches, final.Gen)
			}
			perRound := float64(len(api.Calls())) / float64(rounds)
			projected := perRound * float64(len(world.DefaultVantages)) * float64(apiBudgetWindow/prodInterval)
			if projected > apiBudget {
				t.Errorf("%.2f API requests per vantage round: %.0f per 5 minutes at a %s interval, over the %d budget", perRound, projected, prodInterval, apiBudget)
			}
			falseSw := falseSwitches(events, vantages, scenarioInterval)
			lost := recordsLost(inv, api)
			if falseSw > 0 || lost > 0 {
				t.Errorf("%d false switches (made while most vantage points saw the primary as it was), %d records lost or inconsistent: %v",
					falseSw, lost, inv.First())
			}
			verdict := "scenario checks passed"
			if out.Err != nil {
				verdict = "SCENARIO FAILED: " + out.Err.Error()
			}
			held := fmt.Sprintf("%s; gen = switches; no secret in %d KiB of logs, events, /status; %.2f API requests per vantage round (≈%.0f per 5 min at %d vantages, 10 s interval; budget %d)",
				verdict, len(logs.String())>>10, perRound, projected, len(world.DefaultVantages), apiBudget)
			if minGap > 0 {
				held += fmt.Sprintf("; shortest gap between DNS changes %s", minGap.Round(10*time.Millisecond))
			}
			row = &Row{Fault: "Scenario: " + sc.Name, Injected: sc.About, Trials: 1, Switches: dnsChanges, FalseSwitches: falseSw, RecordsLost: lost, Held: held}
		})
	}
}

// TestSustainedAPIFailure fails every batch during a real outage: every
// vantage point must report the failure (an error event each round) and
// carry on probing, never switch half-way, and switch once the API heals.
func TestSustainedAPIFailure(t *testing.T) {
	ctx := context.Background()
	rec := scenario.NewRecorder(nil)
	logs := &syncBuffer{}
	w, err := world.Start(ctx, world.Options{Interval: interval, Events: rec.Record,
		Log: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	st := &scenario.Stage{W: w, R: rec}
	if err := st.Steady(ctx); err != nil {
		t.Fatal(err)
	}
	inv := watch(w.CF)
	// The row is reported however the test ends, t.Fatal included, with
	// its figures counted from the zone: a generation committed while
	// every batch failed is a false switch (a record moved by a write
	// that reported failure).
	row := Row{Fault: "DNS API down for writes during an outage", Injected: "every batch answered 502 while the primary is down, then healed",
		Trials: 1, Held: "STOPPED: see the test's failure"}
	failingGen, lost := uint64(0), -1
	defer func() {
		row.FalseSwitches = int(failingGen)
		row.Switches = int(zoneGen(w.CF.Records()))
		if lost < 0 {
			lost = recordsLost(inv, w.CF)
		}
		row.RecordsLost = lost
		report(t, row)
	}()
	w.CF.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: 502, Match: cloudflareapi.Batches})
	mark := rec.Mark()
	w.Primary.SetDown(true)
	// Each failed write spends its own retries (about 17 requests with their
	// waits) before it reports, so four of them per vantage point take
	// tens of seconds; the deadline only ends a test that is stuck.
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	// Every vantage point reports failed writes, round after round, and
	// keeps going.
	twoErrorsEach := func(evs []world.Event) bool {
		for _, n := range w.Nodes {
			if scenario.Count(evs, func(e world.Event) bool {
				return e.Kind == vantage.EventError && e.Vantage == n.ID && strings.Contains(e.Reason, "switch")
			}) < 2 {
				return false
			}
		}
		return true
	}
	if err := rec.WaitFor(wctx, mark, "two write errors from every vantage point", twoErrorsEach); err != nil {
		t.Fatal(err)
	}
	// The request rate once every vantage point is failing to write.
	steady, calls1 := rec.Mark(), len(w.CF.Calls())
	if err := rec.WaitFor(wctx, steady, "two more write errors from every vantage point", twoErrorsEach); err != nil {
		t.Fatal(err)
	}
	evs := rec.Since(steady)
	failingGen = zoneGen(w.CF.Records())
	if n := scenario.Count(evs, scenario.Kind(vantage.EventSwitched, "")); n != 0 {
		t.Fatalf("%d switches while every batch failed", n)
	}
	if got := checkRecords(t, w.CF.Records()); got.Side != state.Primary || got.Gen != 0 {
		t.Fatalf("%s at gen %d while every batch failed", got.Side, got.Gen)
	}
	rounds := scenario.Count(evs, scenario.Kind(vantage.EventRound, ""))
	perRound := float64(len(w.CF.Calls())-calls1) / float64(rounds)
	projected := perRound * float64(len(w.Nodes)) * float64(apiBudgetWindow/prodInterval)
	errorsSeen := scenario.Count(rec.Since(mark), scenario.Kind(vantage.EventError, ""))

	w.CF.ClearFaults()
	if err := st.ExpectAnswer(ctx, world.StandbyTarget, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	lost = recordsLost(inv, w.CF)
	got := checkRecords(t, w.CF.Records())
	if got.Side != state.Standby || got.Gen != 1 {
		t.Fatalf("after the API healed: %s at gen %d, want standby at gen 1", got.Side, got.Gen)
	}
	if lost > 0 {
		t.Errorf("%d records lost or inconsistent: %v", lost, inv.First())
	}
	scanForSecrets(t, "the logs", logs.String(), leaks(w))
	t.Logf("sustained batch failure: %.1f API requests per vantage round → %.0f per 5 minutes at %d vantages and a 10 s interval", perRound, projected, len(world.DefaultVantages))
	row.Held = fmt.Sprintf("%d error events, rounds continued, no switch and gen 0 while failing, one switch (gen 1) once healed; %.1f requests per vantage round (≈%.0f per 5 min at %d vantages, 10 s; budget %d)",
		errorsSeen, perRound, projected, len(world.DefaultVantages), apiBudget)
	// Each vantage point backs off after a failed write (doubling from one
	// interval to 16), so the rate stays within the budget however long
	// the API refuses writes.
	if projected > apiBudget {
		t.Errorf("%.0f requests per 5 minutes projected under a sustained write failure, over the %d budget", projected, apiBudget)
	}
}

// TestSkewedClocks gives the vantage points skewed clocks. Within the skew
// window their votes count and a real outage switches; beyond it every
// exchange is refused and logged as skew, and nothing switches.
func TestSkewedClocks(t *testing.T) {
	v := world.DefaultVantages
	tests := []struct {
		name       string
		skew       map[string]time.Duration
		wantSwitch bool
	}{
		{"within the window", map[string]time.Duration{v[1]: 10 * time.Second, v[2]: -10 * time.Second, v[3]: 5 * time.Second}, true},
		{"beyond the window", map[string]time.Duration{v[1]: 2 * time.Minute, v[2]: -2 * time.Minute, v[3]: 4 * time.Minute}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			rec := scenario.NewRecorder(nil)
			logs := &syncBuffer{}
			// At the scenarios' interval: the skews are absolute (10 s within
			// a 30 s window) and a 100 ms world misses its deadlines under -race.
			w, err := world.Start(ctx, world.Options{Interval: scenarioInterval, Events: rec.Record, Clock: world.Skewed(tc.skew),
				Log: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			st := &scenario.Stage{W: w, R: rec}
			if err := st.Steady(ctx); err != nil {
				t.Fatal(err)
			}
			inv := watch(w.CF)
			mark := rec.Mark()
			st.Inject("primary down", func() { w.Primary.SetDown(true) })
			if tc.wantSwitch {
				if err := st.ExpectAnswer(ctx, world.StandbyTarget, st.Allowance()); err != nil {
					t.Fatal(err)
				}
				lost := recordsLost(inv, w.CF)
				if lost > 0 {
					t.Errorf("%d records lost or inconsistent: %v", lost, inv.First())
				}
				report(t, Row{Fault: "Skewed clocks, within the window", Injected: "3 of 5 vantage clocks off by +10 s, −10 s, +5 s (window 30 s); primary down",
					Trials: 1, Switches: scenario.Count(rec.Since(mark), func(e world.Event) bool {
						return e.Kind == world.EventDNSChanged && e.Answer == world.StandbyTarget
					}), RecordsLost: lost, Held: "votes counted, switched to the standby"})
				return
			}
			wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := rec.WaitFor(wctx, mark, "two refused switches from every vantage", func(evs []world.Event) bool {
				for _, n := range w.Nodes {
					if scenario.Count(evs, scenario.Kind(vantage.EventRefused, n.ID)) < 2 {
						return false
					}
				}
				return true
			}); err != nil {
				t.Fatal(err)
			}
			// With three of five clocks beyond the window at most two
			// votes count together, fewer than the quorum of 3: any
			// switch is a false one.
			falseSw := scenario.Count(rec.Since(mark), scenario.Kind(vantage.EventSwitched, ""))
			lost := recordsLost(inv, w.CF)
			if err := st.NoSwitchSince(mark); err != nil {
				t.Fatal(err)
			}
			if got := checkRecords(t, w.CF.Records()); got.Gen != 0 {
				t.Fatalf("gen %d: something was written on stale votes", got.Gen)
			}
			if lost > 0 {
				t.Errorf("%d records lost or inconsistent: %v", lost, inv.First())
			}
			// Said, not silent: the handlers log the refusal as skew, the
			// askers log the peer abstaining.
			l := logs.String()
			if !strings.Contains(l, `"reason":"skew"`) || !strings.Contains(l, "peer abstains") {
				t.Fatal("the logs do not say that votes were refused for clock skew")
			}
			refused := scenario.Count(rec.Since(mark), scenario.Kind(vantage.EventRefused, ""))
			report(t, Row{Fault: "Skewed clocks, beyond the window", Injected: "vantage clocks off by 0, +2 min, −2 min, +4 min, 0 (window 30 s); primary down",
				Trials: 1, Switches: falseSw, FalseSwitches: falseSw, RecordsLost: lost,
				Held: fmt.Sprintf("every exchange refused and logged as skew; %d refused switches, none made; gen stays 0", refused)})
		})
	}
}

// zoneGen is the generation the zone's state TXT holds (0 without one or
// when it cannot be parsed: checkRecords says why).
func zoneGen(rs []cloudflareapi.Record) uint64 {
	for _, r := range rs {
		if r.Name == state.RecordName(world.Record) {
			if st, err := state.Parse(r.Content); err == nil {
				return st.Gen
			}
		}
	}
	return 0
}
