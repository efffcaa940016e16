// Package scenario runs failure scenarios against the local world and checks
// that switchyard did what it promises: switch on a real outage, never switch
// because one prober lost its own network, damp flapping.
package scenario

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// Scenario is one named story told to the world.
type Scenario struct {
	Name  string
	About string
	// Configure adjusts the world's options before it starts.
	Configure func(*world.Options)
	// Play injects faults and checks expectations, starting from a steady
	// world; an error says which expectation failed.
	Play func(ctx context.Context, s *Stage) error
}

// Stage is what a playing scenario works with.
type Stage struct {
	W *world.World
	R *Recorder
	// FaultAt is when the last fault was injected; switch times are measured from it.
	FaultAt time.Time
	// Elapsed holds, for each DNS answer change, the time since FaultAt.
	Elapsed []time.Duration
}

// Bound is the time within which a real outage must change the DNS answer:
// failover.DetectionBound (README's bound) with one interval allowed for
// the API write and its read-back.
func (s *Stage) Bound() time.Duration {
	o := s.W.Options()
	return failover.DetectionBound(o.Interval, o.FastInterval, o.FailAfter, o.ProbeTimeout, o.Interval)
}

// Allowance is how long the pass/fail scenarios wait for a switch the
// bound promises: ten bounds, which also cover what the bound leaves out
// (PEER_TIMEOUT beyond the peers' probe timeout, one one-writer wait of
// PEER_TIMEOUT + Settle when the first suspect by id did not write). They assert that the switch happens, and
// happens well before anything that could hide an outage (a minute of DNS
// cache, a dwell); how fast it happens is a figure, measured by test/bench.
// A loaded 2-core machine under -race can stretch a 100 ms world's peer
// replies past PEER_TIMEOUT for several rounds running.
func (s *Stage) Allowance() time.Duration { return 10 * s.Bound() }

func (s *Stage) alive() []string {
	var ids []string
	for _, n := range s.W.Nodes {
		if n.Vantage != nil {
			ids = append(ids, n.ID)
		}
	}
	return ids
}

// Steady waits until every vantage point has made two rounds and then, within
// at most ten more rounds, until all see both origins healthy in their latest
// round (a loaded machine can make one check miss a tight latency budget).
func (s *Stage) Steady(ctx context.Context) error {
	ctx, cancel := Within(ctx, 40*s.W.Options().Interval+10*time.Second)
	defer cancel()
	if err := s.R.WaitFor(ctx, 0, "steady state", RoundsFromAll(s.alive(), 2)); err != nil {
		return err
	}
	var why error
	for range 10 {
		if why = s.unsteady(); why == nil {
			return nil
		}
		if err := s.R.WaitFor(ctx, s.R.Mark(), "one more round", RoundsFromAll(s.alive(), 1)); err != nil {
			return err
		}
	}
	return why
}

func (s *Stage) unsteady() error {
	for _, n := range s.W.Nodes {
		if n.Vantage == nil {
			continue
		}
		last := n.Vantage.Last()
		if !last.Primary.OK || !last.Standby.OK {
			return fmt.Errorf("not steady: %s sees primary ok=%v (%s), standby ok=%v (%s)",
				n.ID, last.Primary.OK, last.Primary.Reason, last.Standby.OK, last.Standby.Reason)
		}
	}
	return nil
}

// Inject runs fault and marks the time.
func (s *Stage) Inject(what string, fault func()) {
	fault()
	s.FaultAt = time.Now()
	s.W.Fault(world.EventFault, what)
}

// Heal runs heal and notes it in the timeline.
func (s *Stage) Heal(what string, heal func()) {
	heal()
	s.W.Fault(world.EventHeal, what)
}

// ExpectAnswer waits until authoritative DNS answers target, at most within.
func (s *Stage) ExpectAnswer(ctx context.Context, target string, within time.Duration) error {
	ctx, cancel := Within(ctx, within)
	defer cancel()
	if err := s.W.WaitAnswer(ctx, target); err != nil {
		return err
	}
	s.Elapsed = append(s.Elapsed, time.Since(s.FaultAt))
	return nil
}

// ExpectFailover waits until DNS answers the standby, within the allowance.
func (s *Stage) ExpectFailover(ctx context.Context) error {
	return s.ExpectAnswer(ctx, world.StandbyTarget, s.Allowance())
}

// Rounds waits until every live vantage point made n more rounds.
func (s *Stage) Rounds(ctx context.Context, n int) error {
	ctx, cancel := Within(ctx, time.Duration(n+5)*s.W.Options().Interval*3+10*time.Second)
	defer cancel()
	return s.R.WaitFor(ctx, s.R.Mark(), fmt.Sprintf("%d more rounds", n), RoundsFromAll(s.alive(), n))
}

// NoSwitchSince fails when any switch happened after mark.
func (s *Stage) NoSwitchSince(mark int) error {
	for _, e := range s.R.Since(mark) {
		if e.Kind == vantage.EventSwitched {
			return fmt.Errorf("%s switched to %s (%s), but no switch may happen here", e.Vantage, e.To, e.Reason)
		}
	}
	if got := s.W.CurrentAnswer(); got != world.PrimaryTarget {
		return fmt.Errorf("DNS answers %s, want it to stay on %s", got, world.PrimaryTarget)
	}
	return nil
}

func host(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return u.Host
}

// All scenarios, the default first: the outages, then one provider-down
// and one provider-blind scenario per provider of the default world.
var All = slices.Concat(outages, clientPath, providerScenarios())

var outages = []Scenario{
	{
		Name:  "primary-outage",
		About: "the primary fails for everyone: switch to the standby; it recovers: stay on the standby (manual failback)",
		Play:  primaryOutage,
	},
	{
		Name:  "primary-outage-group",
		About: "primary-outage with a failover group (SWITCHYARD_GROUP): assets., img. (CNAME) and cdn. (A) switch together in one write",
		Configure: func(o *world.Options) {
			o.Group = true
		},
		Play: func(ctx context.Context, s *Stage) error {
			if err := primaryOutage(ctx, s); err != nil {
				return err
			}
			wrong, err := s.W.GroupAnswers(ctx, state.Standby)
			if err != nil {
				return err
			}
			if len(wrong) > 0 {
				return fmt.Errorf("the group did not switch as one: %s", strings.Join(wrong, "; "))
			}
			s.W.Fault(world.EventNote, fmt.Sprintf("every record of the group answers the standby: %s and %d more", world.Record, len(world.GroupRecords)))
			return nil
		},
	},
	{
		Name:  "primary-blackhole",
		About: "the primary stops answering at all (requests hang until timeout): switch to the standby",
		Play: func(ctx context.Context, s *Stage) error {
			s.Inject("primary origin hangs every request", func() { s.W.Primary.SetDelay(time.Hour) })
			return s.ExpectFailover(ctx)
		},
	},
	{
		Name:  "failback-auto",
		About: "FAILBACK=auto: outage, switch, recovery, then back to the primary after RECOVER_AFTER and MIN_DWELL",
		Configure: func(o *world.Options) {
			o.Failback = "auto"
			o.MinDwell = 6 * o.Interval
		},
		Play: func(ctx context.Context, s *Stage) error {
			s.Inject("primary origin returns 503 to everyone", func() { s.W.Primary.SetDown(true) })
			if err := s.ExpectFailover(ctx); err != nil {
				return err
			}
			// MIN_DWELL runs from the state's since, stamped as the writer
			// prepared the switch, before DNS answered.
			st, err := s.expectDwell(0)
			if err != nil {
				return err
			}
			s.Heal("primary origin recovers", func() { s.W.Primary.SetDown(false) })
			o := s.W.Options()
			within := o.MinDwell + time.Duration(o.RecoverAfter+3)*o.Interval + s.Bound()
			if err := s.ExpectAnswer(ctx, world.PrimaryTarget, 3*within); err != nil {
				return err
			}
			if dwelt := time.Since(st.Since); dwelt < o.MinDwell {
				return fmt.Errorf("failed back after %s on the standby, less than MIN_DWELL %s", dwelt, o.MinDwell)
			}
			return nil
		},
	},
	{
		Name: "primary-wrong-body",
		About: "the primary answers 200 with a different body (a maintenance page): it fails its own check, a primary failure " +
			"and never a parity failure: switch, with SWITCHYARD_PARITY_REQUIRED=true",
		Configure: func(o *world.Options) { o.ParityKeys = []string{"img/logo.png"} },
		Play: func(ctx context.Context, s *Stage) error {
			mark := s.R.Mark()
			var err error
			s.Inject("primary origin answers 200 with a maintenance page instead of the canary", func() {
				err = s.W.Primary.Put(ctx, world.CanaryKey, []byte("<html>down for maintenance</html>\n"))
			})
			if err != nil {
				return fmt.Errorf("put the maintenance page on the primary: %w", err)
			}
			if err := s.ExpectFailover(ctx); err != nil {
				for _, e := range s.R.Since(mark) {
					if e.Kind == vantage.EventRefused {
						return fmt.Errorf("%w; %s refused: %s", err, e.Vantage, e.Reason)
					}
				}
				return err
			}
			if n := Count(s.R.Since(mark), Kind(vantage.EventParityFailed, "")); n > 0 {
				return fmt.Errorf("%d vantage point(s) blamed the standby's parity for the primary's wrong body", n)
			}
			return nil
		},
	},
	{
		Name:  "partition-one",
		About: "one vantage point is cut off from the primary: it suspects, asks its peers, and is refused; no switch",
		Play: func(ctx context.Context, s *Stage) error {
			cut := s.W.Nodes[0]
			mark := s.R.Mark()
			s.Inject(cut.ID+" cut off from the primary", func() { cut.Net.Cut(host(s.W.Primary.URL())) })
			ctx2, cancel := Within(ctx, 10*s.Bound())
			defer cancel()
			if err := s.R.WaitFor(ctx2, mark, "two refused switches from "+cut.ID, func(evs []world.Event) bool {
				return Count(evs, Kind(vantage.EventRefused, cut.ID)) >= 2
			}); err != nil {
				return err
			}
			if err := s.NoSwitchSince(mark); err != nil {
				return err
			}
			s.W.Fault(world.EventNote, cut.ID+" was refused twice by its peers; the record never moved")
			return nil
		},
	},
	{
		Name:  "region-down",
		About: "one vantage point dies (its region is down), then the primary fails: the rest still fail over",
		Play: func(ctx context.Context, s *Stage) error {
			dead := s.W.Nodes[2]
			s.W.Fault(world.EventFault, dead.ID+" is down (region outage)")
			if err := s.W.Kill(dead.ID); err != nil {
				return err
			}
			dead.Vantage = nil
			s.Inject("primary origin returns 503 to everyone", func() { s.W.Primary.SetDown(true) })
			return s.ExpectFailover(ctx)
		},
	},
	{
		Name:  "slow-primary",
		About: "the primary slows below the latency budget: no switch; above it: switch",
		Play: func(ctx context.Context, s *Stage) error {
			budget := s.W.Nodes[0].Config.LatencyBudget
			mark := s.R.Mark()
			s.Inject(fmt.Sprintf("primary slows to %s (budget %s)", budget/3, budget), func() { s.W.Primary.SetDelay(budget / 3) })
			if err := s.Rounds(ctx, s.W.Options().FailAfter+2); err != nil {
				return err
			}
			if err := s.NoSwitchSince(mark); err != nil {
				return err
			}
			s.Inject(fmt.Sprintf("primary slows to %s (budget %s)", budget*3/2, budget), func() { s.W.Primary.SetDelay(budget * 3 / 2) })
			return s.ExpectFailover(ctx)
		},
	},
	{
		Name: "failback-by-hand",
		About: "failback is manual: after a failover the operator moves traffic back to the primary (failover primary, then failover auto) " +
			"while every vantage point has cached \"on the standby\"; the primary fails again at once: failover within the bound, not when the DNS cache runs out",
		Play: func(ctx context.Context, s *Stage) error {
			s.Inject("primary origin returns 503 to everyone", func() { s.W.Primary.SetDown(true) })
			if err := s.ExpectFailover(ctx); err != nil {
				return err
			}
			// Every vantage point reads, and caches for DNS_CACHE (a
			// minute), "on the standby, failback manual".
			if err := s.allSee(ctx, state.Standby); err != nil {
				return err
			}
			s.Heal("primary origin recovers", func() { s.W.Primary.SetDown(false) })
			if err := s.Rounds(ctx, 2); err != nil {
				return err
			}
			if err := failBackByHand(ctx, s.W); err != nil {
				return err
			}
			s.FaultAt = time.Now() // the DNS answer below follows this write, not the outage
			s.W.Fault(vantage.EventSwitched, "operator: failover primary, then failover auto (by hand, one write)")
			if err := s.ExpectAnswer(ctx, world.PrimaryTarget, s.Allowance()); err != nil {
				return err
			}
			s.Inject("primary origin fails again, within every vantage point's DNS cache", func() { s.W.Primary.SetDown(true) })
			if err := s.ExpectFailover(ctx); err != nil {
				return fmt.Errorf("a cached \"on the standby\" hid the outage: %w", err)
			}
			s.W.Fault(world.EventNote, fmt.Sprintf("failed over %s after the primary failed again (DNS cache %s)",
				s.Elapsed[len(s.Elapsed)-1].Round(time.Millisecond), cmp.Or(s.W.Options().DNSCache, time.Minute)))
			return nil
		},
	},
	{
		Name: "flap",
		About: "FAILBACK=auto: outage, failover, recovery, failback after MIN_DWELL; the primary fails again at once: " +
			"failover follows at once, and the next failback waits twice MIN_DWELL (the dwell= in the state TXT)",
		Configure: func(o *world.Options) {
			o.Failback = "auto"
			// Long beside the failover bound, so that holding a failing
			// primary for the dwell (the old damping) cannot pass for a
			// prompt failover.
			o.MinDwell = 20 * o.Interval
		},
		Play: func(ctx context.Context, s *Stage) error {
			o := s.W.Options()
			// The dwell runs from the state's since, stamped by the writer
			// as it prepares the switch (whole seconds, rounded up), so it
			// is measured from there, not from when DNS answered.
			failback := func(onStandby state.State, dwell time.Duration) error {
				s.Heal("primary origin recovers", func() { s.W.Primary.SetDown(false) })
				within := dwell + time.Duration(o.RecoverAfter+3)*o.Interval + s.Bound()
				if err := s.ExpectAnswer(ctx, world.PrimaryTarget, 3*within); err != nil {
					return fmt.Errorf("no failback: %w", err)
				}
				if dwelt := time.Since(onStandby.Since); dwelt < dwell {
					return fmt.Errorf("failed back after %s on the standby, less than the dwell %s", dwelt.Round(time.Millisecond), dwell)
				}
				return nil
			}

			s.Inject("primary origin returns 503 to everyone", func() { s.W.Primary.SetDown(true) })
			if err := s.ExpectFailover(ctx); err != nil {
				return err
			}
			st, err := s.expectDwell(0)
			if err != nil {
				return err
			}
			if err := failback(st, o.MinDwell); err != nil {
				return err
			}
			s.W.Fault(world.EventNote, fmt.Sprintf("failed back after MIN_DWELL %s", o.MinDwell))

			// Fails again right after the failback, well within its dwell.
			s.Inject("primary origin fails again right after the failback", func() { s.W.Primary.SetDown(true) })
			// Before MIN_DWELL: holding a failing primary for the dwell
			// (the old damping) could not be in time.
			if err := s.ExpectAnswer(ctx, world.StandbyTarget, min(o.MinDwell, s.Allowance())); err != nil {
				return fmt.Errorf("a primary failing right after an automatic failback was not failed over at once: %w", err)
			}
			if st, err = s.expectDwell(2 * o.MinDwell); err != nil {
				return err
			}
			s.W.Fault(world.EventNote, fmt.Sprintf("failed over again in %s; the next failback waits %s", s.Elapsed[len(s.Elapsed)-1].Round(time.Millisecond), 2*o.MinDwell))
			return failback(st, 2*o.MinDwell)
		},
	},
}

// expectDwell checks the dwell= the state TXT carries (0: none, MIN_DWELL)
// and returns the state.
func (s *Stage) expectDwell(want time.Duration) (state.State, error) {
	txts := s.W.StateTXT()
	if len(txts) != 1 {
		return state.State{}, fmt.Errorf("%d state TXT records, want one: %q", len(txts), txts)
	}
	st, err := state.Parse(txts[0])
	if err != nil {
		return st, fmt.Errorf("state TXT %q: %w", txts[0], err)
	}
	// The state keeps the dwell at second precision (state.Format).
	want, minDwell := want.Truncate(time.Second), s.W.Options().MinDwell.Truncate(time.Second)
	if st.Dwell != want && !(want == 0 && st.Dwell == minDwell) {
		return st, fmt.Errorf("state TXT says dwell %s, want %s: %s", st.Dwell, want, txts[0])
	}
	return st, nil
}

// primaryOutage: the primary fails for everyone, the vantage points switch
// to the standby; it recovers and traffic stays there (manual failback).
func primaryOutage(ctx context.Context, s *Stage) error {
	s.Inject("primary origin returns 503 to everyone", func() { s.W.Primary.SetDown(true) })
	if err := s.ExpectFailover(ctx); err != nil {
		return err
	}
	s.Heal("primary origin recovers", func() { s.W.Primary.SetDown(false) })
	mark := s.R.Mark()
	if err := s.Rounds(ctx, s.W.Options().RecoverAfter+2); err != nil {
		return err
	}
	if Count(s.R.Since(mark), SwitchTo(state.Primary)) > 0 || s.W.CurrentAnswer() != world.StandbyTarget {
		return errors.New("failback is manual, but traffic moved back to the primary")
	}
	s.W.Fault(world.EventNote, fmt.Sprintf("primary healthy for %d rounds everywhere; still on the standby (failback is manual)", s.W.Options().RecoverAfter+2))
	return nil
}

// Find returns the scenario called name.
func Find(name string) (Scenario, error) {
	i := slices.IndexFunc(All, func(s Scenario) bool { return s.Name == name })
	if i < 0 {
		var names []string
		for _, s := range All {
			names = append(names, s.Name)
		}
		return Scenario{}, fmt.Errorf("unknown scenario %q; expected one of %v", name, names)
	}
	return All[i], nil
}

// Outcome is a played scenario.
type Outcome struct {
	Scenario string
	Err      error
	Elapsed  []time.Duration // fault → DNS answer changed, per change awaited
	Bound    time.Duration
	// Stopped is when the play ended and the world began to close: what
	// the vantage points did after it (rounds whose peers had gone, writes
	// whose context was canceled) says nothing about the scenario.
	Stopped time.Time
}

// Play starts a world configured by o and sc, plays sc and closes the world.
func Play(ctx context.Context, sc Scenario, o world.Options, rec *Recorder) Outcome {
	if sc.Configure != nil {
		sc.Configure(&o)
	}
	o.Events = rec.Record
	w, err := world.Start(ctx, o)
	if err != nil {
		return Outcome{Scenario: sc.Name, Err: err}
	}
	defer w.Close()
	st := &Stage{W: w, R: rec}
	if err = st.Steady(ctx); err == nil {
		err = sc.Play(ctx, st)
	}
	return Outcome{Scenario: sc.Name, Err: err, Elapsed: st.Elapsed, Bound: st.Bound(), Stopped: time.Now()}
}

// failBackByHand does what an operator's `failover primary` then `failover
// auto` leave behind, in one write: the record on the primary, unpinned.
func failBackByHand(ctx context.Context, w *world.World) error {
	p, err := w.OperatorDNS()
	if err != nil {
		return fmt.Errorf("operator: %w", err)
	}
	cur, err := p.Read(ctx)
	if err != nil {
		return fmt.Errorf("operator: %w", err)
	}
	next := cur.State.Next(state.Primary, "manual:ops", "failback by hand", false, time.Now())
	if _, err := p.Write(ctx, dns.Change{Target: world.PrimaryTarget, State: next}); err != nil {
		return fmt.Errorf("operator: %w", err)
	}
	return nil
}

// allSee waits, at most 20 rounds, until every live vantage point's last
// round read the record as active on side.
func (s *Stage) allSee(ctx context.Context, side state.Side) error {
	for range 20 {
		var not []string
		for _, n := range s.W.Nodes {
			if n.Vantage != nil && n.Vantage.Last().Active != side {
				not = append(not, n.ID)
			}
		}
		if len(not) == 0 {
			return nil
		}
		if err := s.Rounds(ctx, 1); err != nil {
			return fmt.Errorf("waiting for %v to read the record on the %s: %w", not, side, err)
		}
	}
	return fmt.Errorf("after 20 rounds not every vantage point reads the record on the %s", side)
}
