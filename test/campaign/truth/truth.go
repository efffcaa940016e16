// Package truth is the campaign's ground truth: from a trial's fault set
// alone it says whether switchyard must switch to the standby, must not, or
// may do either. It re-derives the documented rule (README, DESIGN.md) and
// deliberately imports nothing of switchyard's decision code (the quorum and
// failover packages): a figure judged by the code under test cannot fail.
//
// The documented rule: a vantage point suspects the primary after FAIL_AFTER
// consecutive failed checks of its own, asks every peer for a fresh
// observation, and the record moves only when the down votes (its own and
// its peers') number at least QUORUM, come from at least MIN_PROVIDERS
// distinct providers, and at least QUORUM of the same votes see the standby
// healthy. A dead peer, and one whose clock is outside the skew window,
// abstains: it never counts as down. An operator's pin is never overridden.
package truth

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Expect is what a trial must do.
type Expect string

const (
	MustSwitch    Expect = "must switch"
	MustNotSwitch Expect = "must not switch"
	Either        Expect = "either"
)

// Health is what an origin does for every vantage point that can reach it.
type Health string

const (
	Healthy   Health = "healthy"
	Down      Health = "503"        // answers 503 ServiceUnavailable
	Hang      Health = "hang"       // accepts and never answers
	WrongBody Health = "wrong-body" // answers 200 with the wrong bytes
	Slow      Health = "slow"       // answers right, slower than the latency budget
	SlowOK    Health = "slow-ok"    // answers right, slower than usual but within the budget
)

// fails reports whether a check of an origin in health h fails.
func (h Health) fails() bool {
	switch h {
	case Down, Hang, WrongBody, Slow:
		return true
	}
	return false
}

// Path is one vantage point's own network path to an origin.
type Path string

const (
	Clear  Path = ""       // no fault
	Cut    Path = "cut"    // every request hangs: the origin looks down
	Lossy  Path = "lossy"  // some requests are lost: each check may fail or pass
	Slowed Path = "slowed" // added latency above the budget: every check fails
	Lagged Path = "lagged" // added latency below the budget: no effect
)

// Rule is the configured agreement rule, topology included.
type Rule struct {
	Vantages     []string // every configured vantage id, provider:region
	Quorum       int      // 0: a strict majority of Vantages
	MinProviders int      // 0: 2 when two or more providers are configured, else 1
	FailAfter    int      // own consecutive failures before a vantage point asks its peers
	// FastInterval is the spacing of the re-checks after a failed check
	// (SWITCHYARD_FAST_INTERVAL): FAIL_AFTER failures take at least
	// (FAIL_AFTER-1) times it, so an outage shorter than that never
	// causes a failover (README, "Probe").
	FastInterval time.Duration
}

// BlipSafe is the longest outage that can never cause a failover by itself.
func (r Rule) BlipSafe() time.Duration { return time.Duration(r.FailAfter-1) * r.FastInterval }

// Effective fills in the documented defaults.
func (r Rule) Effective() Rule {
	if r.Quorum <= 0 {
		r.Quorum = len(r.Vantages)/2 + 1
	}
	if r.MinProviders <= 0 {
		r.MinProviders = min(2, len(providers(r.Vantages)))
	}
	return r
}

// Faults is a trial's fault set, as far as it bears on the decision.
// Faults that only delay a switch (DNS API errors, a decider killed after
// its write, a second fault triggered by the switch itself) do not change
// what must happen and are not part of it.
type Faults struct {
	Primary, Standby Health
	// PrimaryPath and StandbyPath are per-vantage path faults.
	PrimaryPath, StandbyPath map[string]Path
	// Dead vantage points neither probe nor answer their peers.
	Dead []string
	// Skewed vantage points have clocks outside the skew window: every
	// exchange with them is refused both ways.
	Skewed []string
	// Blip > 0: besides the rest, the primary fails for everyone for
	// this long, once, and then serves again (the Primary field is its
	// health outside the blip). The blip starts only after the other
	// faults have been in place for FAIL_AFTER+1 intervals, so a vantage
	// point that lost its own path is already suspicious when it comes.
	Blip time.Duration
	// Pin, when set, is the side an operator moves the record to (and pins
	// it on) while automation runs.
	Pin string
}

// Verdict is the ground truth for one trial.
type Verdict struct {
	Expect Expect
	Why    string
	// FinalSide, when set, is where the record must end: the operator's pin.
	FinalSide string
	// MaxDown is the most down votes the faults can produce at one moment
	// (lossy paths counted as down). A verdict counting more had a vote
	// the fault set does not explain: a check that failed on its own (on a
	// loaded test machine: a healthy check missing its latency budget).
	MaxDown int
}

// Judge returns what a trial with faults f under rule r must do.
func Judge(r Rule, f Faults) Verdict {
	r = r.Effective()
	v := judge(r, f)
	v.MaxDown = len(views(r, f, f.Primary).maybeDown)
	if f.Blip > 0 {
		v.MaxDown = len(views(r, f, Down).maybeDown)
	}
	return v
}

func judge(r Rule, f Faults) Verdict {
	if f.Pin != "" {
		// The operator's move races automation: a switch before the pin
		// lands is as right as none, one after it never is. What must hold
		// is that the record ends where the operator put it.
		return Verdict{Expect: Either, FinalSide: f.Pin,
			Why: "an operator pins " + f.Pin + " while automation runs: automation may switch before the pin lands, never after; the record must end on " + f.Pin}
	}
	steady := views(r, f, f.Primary)
	if ok, why := steady.must(r); ok {
		return Verdict{Expect: MustSwitch, Why: why}
	}
	if ok, why := steady.may(r); ok {
		return Verdict{Expect: Either, Why: why}
	}
	if f.Blip > 0 {
		if v, ok := judgeBlip(r, f, steady); ok {
			return v
		}
	}
	return Verdict{Expect: MustNotSwitch, Why: steady.whyNot(r)}
}

// judgeBlip decides what a blip adds to a steady view that cannot switch.
func judgeBlip(r Rule, f Faults, steady view) (Verdict, bool) {
	during := views(r, f, Down)
	// A blip of (FAIL_AFTER-1) fast re-checks or longer can give a vantage
	// point FAIL_AFTER consecutive failures: it is a short outage, and a
	// switch on it is not wrong (nor is none: the rounds may miss it).
	if f.Blip >= r.BlipSafe() {
		if ok, _ := during.may(r); ok {
			return Verdict{Expect: Either, Why: fmt.Sprintf("a blip of %s is not shorter than (FAIL_AFTER-1) x FAST_INTERVAL = %s: it is a short outage", f.Blip, r.BlipSafe())}, true
		}
		return Verdict{}, false
	}
	// A shorter blip alone never gives anyone FAIL_AFTER failures. But a
	// vantage point that already suspects the primary through its own path
	// asks its peers during the blip, and their fresh checks all say down:
	// a legitimate quorum, for a moment. Whether a round falls inside the
	// blip is timing, so either outcome is right.
	if len(steady.maybeDown) > 0 {
		if ok, _ := during.may(r); ok {
			return Verdict{Expect: Either, Why: fmt.Sprintf("%s already suspect(s) the primary through its own path; during the %s blip its peers' fresh votes may meet the quorum",
				strings.Join(steady.maybeDown, ","), f.Blip)}, true
		}
	}
	return Verdict{}, false
}

// view is who votes what at one moment.
type view struct {
	voters        []string // alive, clock in the window
	down          []string // certainly see the primary failing
	maybeDown     []string // may see it failing (down included)
	standbyOK     []string // certainly see the standby healthy
	maybeStandby  []string // may see it healthy (standbyOK included)
	loneSuspects  []string // skewed vantage points that see the primary down: they can only count on their own vote
	loneStandbyOK map[string]bool
}

func views(r Rule, f Faults, primary Health) view {
	v := view{loneStandbyOK: map[string]bool{}}
	for _, id := range r.Vantages {
		if slices.Contains(f.Dead, id) {
			continue
		}
		pDown, pMaybe := judgePath(primary, f.PrimaryPath[id])
		sDown, sMaybe := judgePath(f.Standby, f.StandbyPath[id])
		if slices.Contains(f.Skewed, id) {
			// Its peers refuse its requests and ignore its votes: it
			// counts only in its own verdict, with its own vote alone.
			if pMaybe {
				v.loneSuspects = append(v.loneSuspects, id)
				v.loneStandbyOK[id] = !sDown
			}
			continue
		}
		v.voters = append(v.voters, id)
		if pDown {
			v.down = append(v.down, id)
		}
		if pMaybe {
			v.maybeDown = append(v.maybeDown, id)
		}
		if !sMaybe {
			v.standbyOK = append(v.standbyOK, id)
		}
		if !sDown {
			v.maybeStandby = append(v.maybeStandby, id)
		}
	}
	return v
}

// judgePath says whether a check through path of an origin in health h
// certainly fails (down) and whether it may fail (maybe).
func judgePath(h Health, p Path) (down, maybe bool) {
	switch {
	case h.fails(), p == Cut, p == Slowed:
		return true, true
	case p == Lossy:
		return false, true
	}
	return false, false
}

// must: the certain votes meet the rule.
func (v view) must(r Rule) (bool, string) {
	if len(v.down) >= r.Quorum && len(providers(v.down)) >= r.MinProviders && len(v.standbyOK) >= r.Quorum {
		return true, fmt.Sprintf("%d/%d vantage points see the primary fail (%s; quorum %d, min providers %d) and %d see the standby healthy",
			len(v.down), len(r.Vantages), strings.Join(providers(v.down), ","), r.Quorum, r.MinProviders, len(v.standbyOK))
	}
	return false, ""
}

// may: the votes that may go either way could meet the rule.
func (v view) may(r Rule) (bool, string) {
	if len(v.maybeDown) >= r.Quorum && len(providers(v.maybeDown)) >= r.MinProviders && len(v.maybeStandby) >= r.Quorum {
		return true, fmt.Sprintf("only lossy paths decide: %d/%d may see the primary fail (%d certainly), quorum %d", len(v.maybeDown), len(r.Vantages), len(v.down), r.Quorum)
	}
	// A skewed vantage point alone meets a quorum of one from one provider.
	for _, id := range v.loneSuspects {
		if r.Quorum <= 1 && r.MinProviders <= 1 && v.loneStandbyOK[id] {
			return true, id + " is skewed but a quorum of 1 lets it decide alone"
		}
	}
	return false, ""
}

func (v view) whyNot(r Rule) string {
	switch {
	case len(v.maybeDown) < r.Quorum:
		return fmt.Sprintf("at most %d of %d vantage points can see the primary fail (%d voting), quorum %d", len(v.maybeDown), len(r.Vantages), len(v.voters), r.Quorum)
	case len(providers(v.maybeDown)) < r.MinProviders:
		return fmt.Sprintf("the primary fails only for provider(s) %s: fewer than MIN_PROVIDERS %d (a blind provider)", strings.Join(providers(v.maybeDown), ","), r.MinProviders)
	default:
		return fmt.Sprintf("at most %d vantage points can see the standby healthy, quorum %d", len(v.maybeStandby), r.Quorum)
	}
}

// providers returns the distinct providers of ids, sorted.
func providers(ids []string) []string {
	var ps []string
	for _, id := range ids {
		p, _, _ := strings.Cut(id, ":")
		if !slices.Contains(ps, p) {
			ps = append(ps, p)
		}
	}
	slices.Sort(ps)
	return ps
}

// Fails reports whether a check of an origin in health h fails.
func (h Health) Fails() bool { return h.fails() }
