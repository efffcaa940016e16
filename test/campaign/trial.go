package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/manual"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
	"github.com/switchyard-dns/switchyard/infra/local/origins"
	"github.com/switchyard-dns/switchyard/infra/local/scenario"
	"github.com/switchyard-dns/switchyard/infra/local/world"
	"github.com/switchyard-dns/switchyard/test/campaign/invariant"
	"github.com/switchyard-dns/switchyard/test/campaign/truth"
)

// Options shape every trial of a campaign.
type Options struct {
	Interval time.Duration // probe interval
	// ProbeTimeout is every check's timeout (the latency budget is half
	// of it); 0: the world's default, 3/5 of Interval.
	ProbeTimeout time.Duration
	FailAfter    int
	// ProdInterval is the interval the API request rate is projected to
	// (SWITCHYARD_INTERVAL's default, 10 s).
	ProdInterval time.Duration
	Log          *slog.Logger
}

// Budget is Cloudflare's documented API limit per user, shared by every
// vantage point of a deployment: 1,200 requests per 5 minutes.
const (
	Budget       = 1200
	BudgetWindow = 5 * time.Minute
)

// Result is one played trial, judged.
type Result struct {
	Spec    Spec
	Verdict truth.Verdict
	Bound   time.Duration // the switch must change the answer within it
	Window  time.Duration // how long the trial watched after the faults

	// AutoMoves lists every committed automated change of the active side.
	AutoMoves []state.State
	// FaultToAnswer is the time from the faults to the authoritative DNS
	// answer changing (0: it did not change).
	FaultToAnswer time.Duration
	// Operator: what the racing manual move did ("" when none).
	Operator string
	Final    state.State

	FalseSwitch, Missed, FlipFlop, WrongFinal, OverBudget bool
	// Unexplained: the first automated switch was decided on more down
	// votes than the fault set can produce (truth.Verdict.MaxDown): some
	// check failed that no injected fault failed. On a loaded machine
	// that is a healthy check missing its budget; a false switch made
	// on such a vote is shown apart from the others (see README).
	Unexplained bool
	SwitchDown  int // down votes of the verdict that made the first automated switch
	// Abstained: a refusal counted fewer votes than the fault set leaves
	// (a peer alive, its clock in the window, did not answer in time).
	// On a loaded machine that is a peer whose fresh check of a hanging
	// path took the whole probe timeout and answered after PEER_TIMEOUT.
	Abstained       bool
	Violations      map[string]int
	FirstViolations []invariant.Violation
	Checks          int // snapshots checked

	APIRequests int
	Rounds      int
	// PerVantageMinute is the API requests per vantage point per minute,
	// projected to ProdInterval from the requests per vantage point and
	// interval of the trial.
	PerVantageMinute float64
	Err              error // the trial could not be played at all
	// Said is what the vantage points said after the faults, for a failing
	// trial's report: refusals, stale writes and errors, counted, with the
	// last reason of each.
	Said map[string]said
	// Replay is the command that plays this trial's faults again with the
	// same timing.
	Replay string
}

type said struct {
	n    int
	last string
}

// Failed says whether the trial broke a promise.
func (r Result) Failed() bool {
	return r.Err != nil || r.FalseSwitch || r.Missed || r.FlipFlop || r.WrongFinal || r.OverBudget || len(r.Violations) > 0
}

// Problems lists in words what failed.
func (r Result) Problems() []string {
	var ps []string
	if r.Err != nil {
		ps = append(ps, "not played: "+r.Err.Error())
	}
	if r.FalseSwitch {
		ps = append(ps, fmt.Sprintf("false switch: %s", movesString(r.AutoMoves)))
	}
	if r.Missed && r.Abstained {
		ps = append(ps, "peers that no fault silenced abstained from refused verdicts (answers after PEER_TIMEOUT)")
	}
	if r.Unexplained {
		ps = append(ps, fmt.Sprintf("the switch counted %d down votes, the faults can cause at most %d: a check failed that no injected fault failed", r.SwitchDown, r.Verdict.MaxDown))
	}
	if r.Missed {
		ps = append(ps, fmt.Sprintf("missed switch: no switch within %s", r.Window.Round(time.Millisecond)))
	}
	if r.FlipFlop {
		ps = append(ps, "flip-flop: "+movesString(r.AutoMoves))
	}
	if r.WrongFinal {
		ps = append(ps, fmt.Sprintf("record ends on %s (gen %d by %s), the operator pinned %s", r.Final.Active, r.Final.Gen, r.Final.By, r.Verdict.FinalSide))
	}
	if r.OverBudget {
		ps = append(ps, fmt.Sprintf("API budget: %.1f requests per vantage per minute at %s, over %d per 5 min", r.PerVantageMinute, prodInterval(r), Budget))
	}
	for _, v := range r.FirstViolations {
		ps = append(ps, "invariant: "+v.String())
	}
	if len(ps) > 0 {
		for _, k := range slices.Sorted(mapKeys(r.Said)) {
			ps = append(ps, fmt.Sprintf("vantage points said %d× %s, last: %s", r.Said[k].n, k, r.Said[k].last))
		}
	}
	return ps
}

func prodInterval(Result) string { return "10s" }

func movesString(ms []state.State) string {
	var b []string
	for _, m := range ms {
		b = append(b, fmt.Sprintf("%s gen %d by %s (%s)", m.Active, m.Gen, m.By, m.Reason))
	}
	return strings.Join(b, "; ")
}

// trial is the state of one trial while it plays.
type trial struct {
	s   Spec
	o   Options
	w   *world.World
	rec *scenario.Recorder
	chk *invariant.Checker

	mu        sync.Mutex
	last      *state.State
	moves     []state.State
	triggered bool
	movedAt   chan struct{} // closed at the first automated move
	dead      map[string]bool
	bg        sync.WaitGroup
}

// Play plays one trial in a fresh local world and judges it. A world that
// does not reach a steady state (a loaded machine can make healthy checks
// miss their latency budget) is replaced by a fresh one, twice at most.
func Play(ctx context.Context, s Spec, o Options) Result {
	var r Result
	for range 3 {
		if r = play(ctx, s, o); !errors.Is(r.Err, errNotSteady) {
			break
		}
	}
	r.Replay = fmt.Sprintf("go run ./test/campaign -seed %d -trials 1 -v -interval %s -probe-timeout %s -fail-after %d",
		s.Seed, o.Interval, o.ProbeTimeout, o.FailAfter)
	return r
}

var errNotSteady = errors.New("the world did not reach a steady state")

func play(ctx context.Context, s Spec, o Options) (res Result) {
	res = Result{Spec: s}
	rec := scenario.NewRecorder(nil)
	wo := world.Options{Vantages: s.Vantages, Interval: o.Interval, ProbeTimeout: o.ProbeTimeout, FailAfter: o.FailAfter, Events: rec.Record, Log: o.Log,
		// The read cache spans as many rounds as SWITCHYARD_DNS_CACHE's
		// minute does at the production interval, so the request rate
		// projects truly.
		DNSCache: time.Duration(float64(time.Minute) * float64(o.Interval) / float64(o.ProdInterval))}
	if len(s.Skew) > 0 {
		wo.Clock = world.Skewed(s.Skew)
	}
	w, err := world.Start(ctx, wo)
	if err != nil {
		res.Err = err
		return res
	}
	t := &trial{s: s, o: o, w: w, rec: rec, movedAt: make(chan struct{}), dead: map[string]bool{}}
	defer func() {
		w.CF.ClearFaults() // frees held requests so the world can close
		t.bg.Wait()
		w.Close()
	}()
	cfg := w.Nodes[0].Config
	rule := truth.Rule{Vantages: s.Vantages, Quorum: cfg.Quorum, MinProviders: cfg.MinProviders,
		FailAfter: w.Options().FailAfter, FastInterval: w.Options().FastInterval}
	res.Verdict = truth.Judge(rule, s.Truth(rule))

	st := &scenario.Stage{W: w, R: rec}
	if err := st.Steady(ctx); err != nil {
		res.Err = fmt.Errorf("%w: %v", errNotSteady, err)
		return res
	}
	t.chk = invariant.New(invariant.Zone{Record: world.Record, PrimaryTarget: world.PrimaryTarget, StandbyTarget: world.StandbyTarget,
		ClaimFromStart: claimAtSetup(w.CF.Records())})
	t.see(w.CF.Records())
	w.CF.OnChange(t.see)

	for _, id := range s.Dead {
		if err := w.Kill(id); err != nil {
			res.Err = err
			return res
		}
		t.dead[id] = true
	}
	callsBefore, mark := len(w.CF.Calls()), rec.Mark()
	faultAt := time.Now()
	t.inject()
	w.Fault(world.EventFault, s.String())

	o2 := w.Options()
	res.Bound = st.Bound() + s.apiPenalty(o2.Interval)
	res.Window = 3 * res.Bound
	if blip := s.BlipFor(rule); blip > 0 {
		start := time.Duration(o2.FailAfter+1) * o2.Interval
		res.Window += start + blip
		t.after(start, func() {
			w.Primary.SetDown(true)
			sleep(ctx, blip)
			w.Primary.SetDown(false)
		})
	}
	if s.Manual != "" {
		res.Window = max(res.Window, s.ManualAfter+res.Bound)
		t.after(s.ManualAfter, func() { res.Operator = t.operator(ctx) })
	}

	// Watch: a required switch ends the wait early, then a few rounds
	// more to see that nothing moves again.
	wctx, cancel := context.WithTimeout(ctx, res.Window)
	if res.Verdict.Expect == truth.MustSwitch && s.Manual == "" {
		select {
		case <-t.movedAt:
		case <-wctx.Done():
		}
		cancel()
		sleep(ctx, time.Duration(o2.FailAfter+3)*o2.Interval)
	} else {
		<-wctx.Done()
		cancel()
	}
	t.bg.Wait() // the operator and the blip are done

	// Judge, on the zone as the writes left it.
	t.chk.Final(w.CF.Records())
	evs := rec.Since(mark)
	res.Said = map[string]said{}
	for _, e := range evs {
		if e.Kind == vantage.EventRound && e.Round != nil && e.Round.Switched && e.Round.Verdict != nil && res.SwitchDown == 0 {
			res.SwitchDown = e.Round.Verdict.Down
			res.Unexplained = res.SwitchDown > res.Verdict.MaxDown
		}
		if e.Kind == vantage.EventRefused && e.Verdict != nil {
			for _, id := range e.Verdict.Abstained {
				if !slices.Contains(s.Dead, id) && !t.isDead(id) && !skewedBeyond(s, id) && !skewedBeyond(s, e.Vantage) {
					res.Abstained = true
				}
			}
		}
		switch e.Kind {
		case world.EventDNSChanged:
			if res.FaultToAnswer == 0 {
				res.FaultToAnswer = e.At.Sub(faultAt)
			}
		case vantage.EventRefused, vantage.EventStale, vantage.EventError:
			k := res.Said[string(e.Kind)]
			k.n++
			k.last = e.Vantage + ": " + e.Reason
			res.Said[string(e.Kind)] = k
		}
	}
	t.mu.Lock()
	res.AutoMoves = slices.Clone(t.moves)
	if t.last != nil {
		res.Final = *t.last
	}
	t.mu.Unlock()
	toStandby := slices.IndexFunc(res.AutoMoves, func(m state.State) bool { return m.Active == state.Standby }) >= 0
	switch res.Verdict.Expect {
	case truth.MustNotSwitch:
		res.FalseSwitch = len(res.AutoMoves) > 0
	case truth.MustSwitch:
		res.Missed = !toStandby
	}
	// Failback is manual in the campaign: automation moves the record at
	// most once, and never back to the primary.
	res.FlipFlop = len(res.AutoMoves) > 1 || slices.IndexFunc(res.AutoMoves, func(m state.State) bool { return m.Active == state.Primary }) >= 0
	if res.Verdict.FinalSide != "" && strings.HasPrefix(res.Operator, "pinned") {
		res.WrongFinal = string(res.Final.Active) != res.Verdict.FinalSide || !res.Final.Pinned
	}
	res.Violations, res.FirstViolations, res.Checks = t.chk.Counts(), t.chk.First(), t.chk.Checks()
	for _, c := range w.CF.Calls() {
		if c.Method == http.MethodDelete {
			res.Violations[invariant.Deleted]++
			res.FirstViolations = append(res.FirstViolations, invariant.Violation{Kind: invariant.Deleted, Detail: "DELETE " + c.Path})
		}
	}
	if len(res.Violations) == 0 {
		res.Violations = nil
	}
	res.APIRequests = len(w.CF.Calls()) - callsBefore
	res.Rounds = scenario.Count(evs, scenario.Kind(vantage.EventRound, ""))
	// Requests per live vantage point per interval of time (fast
	// re-checks and all), projected to the production interval: the
	// campaign's world runs the same rounds in 1/25 of the time.
	if alive, intervals := len(s.Vantages)-len(s.Dead), float64(time.Since(faultAt))/float64(o.Interval); alive > 0 && intervals > 0 {
		perInterval := float64(res.APIRequests) / float64(alive) / intervals
		res.PerVantageMinute = perInterval * float64(time.Minute) / float64(o.ProdInterval)
		res.OverBudget = res.PerVantageMinute*float64(len(s.Vantages))*BudgetWindow.Minutes() > Budget
	}
	return res
}

func skewedBeyond(s Spec, id string) bool {
	d := s.Skew[id]
	return d > SkewWindow || d < -SkewWindow
}

// claimAtSetup: does the zone hold a generation claim before any switch?
// The checker's claim rule follows whatever the world does.
func claimAtSetup(rs []cloudflareapi.Record) bool {
	return slices.ContainsFunc(rs, func(r cloudflareapi.Record) bool {
		return strings.HasPrefix(r.Name, "_switchyard-claim.")
	})
}

// see is the API's OnChange hook: every committed snapshot, in commit
// order, is checked, and automated moves are noted; the first one
// triggers the faults that wait for a switch.
func (t *trial) see(rs []cloudflareapi.Record) {
	t.chk.Check(rs)
	var st *state.State
	for _, r := range rs {
		if r.Name == state.RecordName(world.Record) {
			if s, err := state.Parse(r.Content); err == nil {
				st = &s
			}
		}
	}
	if st == nil {
		return
	}
	t.mu.Lock()
	prev := t.last
	t.last = st
	moved := prev != nil && st.Gen != prev.Gen && !strings.HasPrefix(st.By, "manual:")
	first := moved && !t.triggered
	if moved {
		t.moves = append(t.moves, *st)
	}
	if first {
		t.triggered = true
		close(t.movedAt)
	}
	t.mu.Unlock()
	if first {
		t.atSwitch(st.By)
	}
}

// atSwitch plays what waits for the first switch. It runs on the API's
// commit path, before the writer has its answer: killing the writer here is
// killing it between its write and its read-back.
func (t *trial) atSwitch(writer string) {
	if t.s.KillWriter && t.w.Node(writer) != nil && !t.isDead(writer) {
		t.markDead(writer)
		_ = t.w.Kill(writer)
	}
	switch t.s.Second {
	case SecondPrimaryRecovers:
		t.w.Primary.SetDown(false)
		t.w.Primary.SetDelay(0)
		t.w.Primary.SetWrongBody(false)
		for _, n := range t.w.Nodes {
			n.Net.HealAll()
		}
	case SecondStandbyFails:
		t.w.Standby.SetDown(true)
	case SecondVantageDies:
		for _, n := range t.w.Nodes {
			if n.ID != writer && !t.isDead(n.ID) {
				t.markDead(n.ID)
				t.bg.Go(func() { _ = t.w.Kill(n.ID) })
				break
			}
		}
	case SecondAPIFails:
		t.w.CF.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: http.StatusBadGateway, Match: cloudflareapi.Batches})
	}
}

func (t *trial) isDead(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.dead[id]
}

func (t *trial) markDead(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.dead[id] = true
}

// inject plays the fault set (but the blip, the operator and what waits
// for a switch).
func (t *trial) inject() {
	s, w := t.s, t.w
	budget := w.Nodes[0].Config.LatencyBudget
	play := func(o *origins.Origin, h truth.Health) {
		switch h {
		case truth.Down:
			o.SetDown(true)
		case truth.Hang:
			o.SetDelay(time.Hour)
		case truth.WrongBody:
			o.SetWrongBody(true)
		case truth.Slow:
			o.SetDelay(budget * 3 / 2)
		case truth.SlowOK:
			o.SetDelay(budget / 8)
		}
	}
	play(w.Primary, s.Primary)
	play(w.Standby, s.Standby)
	primary, standby := hostOf(w.Primary.URL()), hostOf(w.Standby.URL())
	for _, n := range w.Nodes {
		switch s.PrimaryPath[n.ID] {
		case truth.Cut:
			n.Net.Cut(primary)
		case truth.Lossy:
			n.Net.Loss(primary, s.Loss[n.ID], rand.New(rand.NewPCG(s.Seed, uint64(len(n.ID)))))
		case truth.Slowed:
			n.Net.Delay(primary, budget*3/2)
		case truth.Lagged:
			n.Net.Delay(primary, budget/8)
		}
		if s.StandbyPath[n.ID] == truth.Cut {
			n.Net.Cut(standby)
		}
	}
	for _, a := range s.API {
		w.CF.Inject(a.fault(w.Options().Interval))
	}
}

func (a APIFault) fault(interval time.Duration) cloudflareapi.Fault {
	switch a.Kind {
	case "429":
		return cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: http.StatusTooManyRequests, RetryAfter: 200 * time.Millisecond, Times: a.Times}
	case "5xx":
		return cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: http.StatusServiceUnavailable, Times: a.Times}
	case "timeout":
		return cloudflareapi.Fault{Kind: cloudflareapi.FaultHang, Match: cloudflareapi.Batches, Times: a.Times}
	case "reset":
		return cloudflareapi.Fault{Kind: cloudflareapi.FaultReset, Match: cloudflareapi.Batches, Times: a.Times}
	case "reset-after-commit":
		return cloudflareapi.Fault{Kind: cloudflareapi.FaultResetAfterCommit, Match: cloudflareapi.Batches, Times: a.Times}
	default: // late-commit
		return cloudflareapi.Fault{Kind: cloudflareapi.FaultDelay, Hold: 2 * interval, Match: cloudflareapi.Batches, Times: a.Times}
	}
}

// apiPenalty is the most the API faults can add to a switch: each hit
// request costs its fault plus the provider's retry wait (at most 1 s for
// the first two retries), a hung one the provider's 5 s request timeout.
func (s Spec) apiPenalty(interval time.Duration) time.Duration {
	var d time.Duration
	for _, a := range s.API {
		per := time.Second
		switch a.Kind {
		case "429":
			per = 200 * time.Millisecond
		case "timeout":
			per = 6 * time.Second
		case "late-commit":
			per = 2*interval + time.Second
		}
		d += time.Duration(a.Times) * per
	}
	return d
}

// operator runs a manual move to s.Manual, pinned, as `failover standby`
// or `failover primary --force` would, retrying as a person would when
// the API fails.
func (t *trial) operator(ctx context.Context) string {
	cfg := t.w.OperatorConfig()
	p, err := assemble.Provider(cfg, assemble.Deps{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		return "not run: " + err.Error()
	}
	primary, standby, err := assemble.Probes(cfg, assemble.Deps{})
	if err != nil {
		return "not run: " + err.Error()
	}
	m := manual.New(manual.Options{DNS: p, Primary: primary, Standby: standby, PrimaryTarget: cfg.PrimaryTarget, StandbyTarget: cfg.StandbyTarget})
	var last error
	for range 3 {
		_, err := m.Move(ctx, state.Side(t.s.Manual), manual.MoveOptions{Force: true, By: "campaign", Reason: "campaign: operator racing automation"})
		if err == nil {
			return "pinned " + t.s.Manual
		}
		last = err
		var inErr *manual.InputError
		if errors.As(err, &inErr) {
			break
		}
	}
	return "failed: " + last.Error()
}

// after runs fn d from now, in the background of the trial.
func (t *trial) after(d time.Duration, fn func()) {
	t.bg.Go(func() {
		time.Sleep(d)
		fn()
	})
}

func sleep(ctx context.Context, d time.Duration) {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
	case <-tm.C:
	}
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Host
}
