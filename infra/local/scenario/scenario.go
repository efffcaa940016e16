// Package scenario runs failure scenarios against the local world and checks
// that switchyard did what it promises: switch on a real outage, never switch
// because one prober lost its own network, damp flapping.
package scenario

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

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
// FAIL_AFTER intervals, two probe timeouts (own and peers'), and one API
// write with its read-back (allowed one interval).
func (s *Stage) Bound() time.Duration {
	o := s.W.Options()
	return time.Duration(o.FailAfter)*o.Interval + 2*o.ProbeTimeout + o.Interval
}

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

// ExpectFailover waits until DNS answers the standby, within three times
// the bound a real outage must meet.
func (s *Stage) ExpectFailover(ctx context.Context) error {
	return s.ExpectAnswer(ctx, world.StandbyTarget, 3*s.Bound())
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
var All = slices.Concat(outages, providerScenarios())

var outages = []Scenario{
	{
		Name:  "primary-outage",
		About: "the primary fails for everyone: switch to the standby; it recovers: stay on the standby (manual failback)",
		Play: func(ctx context.Context, s *Stage) error {
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
			switchedAt := time.Now()
			s.Heal("primary origin recovers", func() { s.W.Primary.SetDown(false) })
			o := s.W.Options()
			within := o.MinDwell + time.Duration(o.RecoverAfter+3)*o.Interval + s.Bound()
			if err := s.ExpectAnswer(ctx, world.PrimaryTarget, 3*within); err != nil {
				return err
			}
			if dwelt := time.Since(switchedAt); dwelt < o.MinDwell {
				return fmt.Errorf("failed back after %s on the standby, less than MIN_DWELL %s", dwelt, o.MinDwell)
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
		Name:  "flap",
		About: "the primary goes down and up every few intervals (FAILBACK=auto): at most one switch per MIN_DWELL",
		Configure: func(o *world.Options) {
			o.Failback = "auto"
			o.MinDwell = 8 * o.Interval
		},
		Play: func(ctx context.Context, s *Stage) error {
			o := s.W.Options()
			mark := s.R.Mark()
			s.Inject("primary starts flapping", func() {})
			// Down long enough to be confirmed, up too briefly to count as recovered.
			down := time.Duration(o.FailAfter+2) * o.Interval
			up := time.Duration(o.RecoverAfter-1) * o.Interval
			deadline := time.Now().Add(3 * o.MinDwell)
			for time.Now().Before(deadline) {
				s.W.Primary.SetDown(true)
				if err := wait(ctx, down); err != nil {
					return err
				}
				s.W.Primary.SetDown(false)
				if err := wait(ctx, up); err != nil {
					return err
				}
			}
			s.Heal("primary stops flapping", func() { s.W.Primary.SetDown(false) })
			var at []time.Time
			for _, e := range s.R.Since(mark) {
				if e.Kind == world.EventDNSChanged {
					at = append(at, e.At)
				}
			}
			for i := 1; i < len(at); i++ {
				if gap := at[i].Sub(at[i-1]); gap < o.MinDwell {
					return fmt.Errorf("two switches %s apart, less than MIN_DWELL %s", gap, o.MinDwell)
				}
			}
			if len(at) == 0 {
				return errors.New("the primary was down for several intervals at a time, yet nothing switched")
			}
			return nil
		},
	},
}

// wait is the flap scenario's metronome: the fault schedule itself is
// defined in time.
func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
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
	return Outcome{Scenario: sc.Name, Err: err, Elapsed: st.Elapsed, Bound: st.Bound()}
}
