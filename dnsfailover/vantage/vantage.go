// Package vantage runs one vantage point: every round it checks the primary
// and the standby, and when its own results make it suspect the primary it
// asks its peers, lets the quorum decide and, if the failover machine says
// so, switches the record. The same Vantage is driven by a ticker in
// `probe serve`, by scheduled invocations in Lambda, and by the local world.
package vantage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/notify"
	"github.com/switchyard-dns/switchyard/dnsfailover/parity"
	"github.com/switchyard-dns/switchyard/dnsfailover/peers"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// Options wires a Vantage. Every field but Events, Now and Log is required.
type Options struct {
	ID            string // provider:region
	Primary       probe.Func
	Standby       probe.Func
	PrimaryTarget string
	StandbyTarget string
	DNS           *dns.Cached
	Peers         []peers.Peer
	PeerClient    *peers.Client
	Rule          quorum.Rule
	Policy        failover.Policy
	DryRun        bool
	History       int // results kept per target; default 20
	// ForgetAfter drops the remembered results when the newest is older
	// than this: consecutive counts are only meaningful across consecutive
	// rounds. A Lambda execution environment that sat idle while peers'
	// requests were served by another must not add one new failure to a
	// streak from minutes ago. Zero: never.
	ForgetAfter time.Duration
	// WriteBackoff is the unit of the wait after failed DNS writes (one
	// probe interval): the next round retries, then waits of up to 2, 4, 8
	// and 16 units follow, with jitter (see backoff.go). Default 10s.
	WriteBackoff time.Duration
	// Settle is how long a vantage point that is not the first by id among
	// those that just asked for votes leaves that one to write a switch
	// before it re-reads the record and writes itself (writer.go). Zero:
	// every vantage point reaching the verdict writes at once.
	Settle time.Duration
	// FastInterval is the time between re-checks after a failed check of
	// the primary while traffic is on it (failover.Recheck); Run and
	// RunUntil use it. Zero: no fast re-checks.
	FastInterval time.Duration
	Log          *slog.Logger
	Now          func() time.Time
	// After waits like time.After (nil: time.After); with Now, a test's
	// clock drives Run and RunUntil.
	After func(time.Duration) <-chan time.Time
	// Events, when set, receives every noteworthy event (suspicion, verdict,
	// switch, refusal, errors). It must not block.
	Events func(Event)
	// Parity compares the canary and sample keys on both origins each round
	// both pass their checks (nil: the canary alone). Policy.ParityRequired
	// says whether a failing report refuses an automatic failover.
	Parity *parity.Checker
	// PrimaryClient and StandbyClient are the client-path checks
	// (probe.NewClientPath, see clientpath.go); nil: not checked.
	PrimaryClient, StandbyClient probe.Func
	// Notify tells people of switches, refusals and trouble (notify.go
	// says which vantage point tells what). Nil: nobody is told.
	Notify *notify.Notifier
	Record string // the switched record's name, for notifications
	// NotifyDNSFailures is how many rounds in a row with a failed DNS
	// write are told as dns_failing. Default 3.
	NotifyDNSFailures int
}

// Vantage is one vantage point. Its methods are safe for concurrent use;
// rounds are serialised.
type Vantage struct {
	o       Options
	primary *probe.History
	standby *probe.History

	roundMu     sync.Mutex   // one round at a time
	backoff     writeBackoff // guarded by roundMu
	lastRoundAt time.Time    // guarded by roundMu
	// clientFailing is the standby's failing client-path reason of the
	// last round, "" when it served clients; guarded by roundMu.
	clientFailing string
	clientFails   int // consecutive rounds the standby failed it; guarded by roundMu

	writers writers // peers that asked lately (writer.go)

	mu   sync.Mutex // guards last and par
	last Round
	par  parityState

	teller teller // notify.go
	marks  []Mark // the last hour of rounds (history.go); guarded by mu
}

// New returns a Vantage; it does no I/O.
func New(o Options) *Vantage {
	if o.History <= 0 {
		o.History = 20
	}
	if o.WriteBackoff <= 0 {
		o.WriteBackoff = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.After == nil {
		o.After = time.After
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	o.Log = o.Log.With("vantage", o.ID)
	return &Vantage{
		o:       o,
		primary: probe.NewHistory(o.History),
		standby: probe.NewHistory(o.History),
		last:    Round{Vantage: o.ID}, // /status names the vantage even before its first round
	}
}

// ID returns the vantage id.
func (v *Vantage) ID() string { return v.o.ID }

// Round is what one round saw and did.
type Round struct {
	Vantage  string            `json:"vantage"`
	At       time.Time         `json:"at"`
	Primary  probe.Result      `json:"primary"`
	Standby  probe.Result      `json:"standby"`
	Record   *dns.Snapshot     `json:"record,omitempty"`
	Active   state.Side        `json:"active,omitempty"`
	Decision failover.Decision `json:"decision"`
	Verdict  *quorum.Verdict   `json:"verdict,omitempty"`
	Switched bool              `json:"switched"`
	// Recheck is set when the primary is suspect (failover.Recheck): the
	// next round comes after Options.FastInterval.
	Recheck bool   `json:"recheck,omitempty"`
	Error   string `json:"error,omitempty"`
	// RejectedPeerRequests counts refused /observe requests by reason
	// (bad_signature, replay, skew, ...); filled in by GET /status.
	RejectedPeerRequests map[string]uint64 `json:"rejected_peer_requests,omitempty"`
	// Parity is the last known parity report (see parity.go), nil before
	// both origins first answered.
	Parity *parity.Comparison `json:"parity,omitempty"`
	// PrimaryClient and StandbyClient are this round's client-path checks
	// (clientpath.go), nil when off. A failing StandbyClient is a standby
	// defect; a failing PrimaryClient already failed Primary.
	PrimaryClient *probe.Result `json:"primary_client,omitempty"`
	StandbyClient *probe.Result `json:"standby_client,omitempty"`
	// StandbyClientPath is the standby's client-path finding of the votes
	// this round asked for, nil when none were asked.
	StandbyClientPath *failover.ClientPath `json:"standby_client_path,omitempty"`
	// Notify is each receiver's delivery record (sent, failed attempts,
	// dropped); filled in by GET /status.
	Notify map[string]notify.Stats `json:"notify,omitempty"`

	// History is the last hour of this vantage point's rounds, oldest
	// first, for the status page's strip; filled in by GET /status.
	History []Mark `json:"history,omitempty"`

	writeFailed bool // a DNS write of this round failed (notify.go)
}

// Observe checks both origins in parallel, without touching the history.
// It is what a peer's /observe request gets: a fresh observation.
func (v *Vantage) Observe(ctx context.Context) peers.Observation {
	v.writers.asked(peers.Sender(ctx), v.o.Now())
	var wg sync.WaitGroup
	var p, s probe.Result
	var pc, sc *probe.Result
	wg.Add(2)
	go func() { defer wg.Done(); p, pc = v.checkPrimary(ctx) }()
	go func() { defer wg.Done(); s, sc = v.checkStandby(ctx) }()
	wg.Wait()
	return peers.Observation{Vantage: v.o.ID, At: v.o.Now(), Primary: p, Standby: s, PrimaryClient: pc, StandbyClient: sc}
}

// RunRound probes, decides and, when the quorum agrees, switches.
func (v *Vantage) RunRound(ctx context.Context) Round {
	v.roundMu.Lock()
	defer v.roundMu.Unlock()

	obs := v.Observe(ctx)
	v.forgetStale(obs.At)
	v.primary.Add(obs.Primary)
	v.standby.Add(obs.Standby)
	r := Round{Vantage: v.o.ID, At: obs.At, Primary: obs.Primary, Standby: obs.Standby,
		PrimaryClient: obs.PrimaryClient, StandbyClient: obs.StandbyClient}
	v.noteClientPath(obs)
	v.o.Log.Debug("round", "primary_ok", obs.Primary.OK, "primary_reason", obs.Primary.Reason,
		"standby_ok", obs.Standby.OK, "latency_ms", obs.Primary.Latency.Milliseconds())

	v.checkParity(ctx, &r, obs)
	v.decide(ctx, &r)
	v.countWrites(&r, r.writeFailed)

	v.mu.Lock()
	v.last = r
	v.marks = appendMark(v.marks, markOf(r))
	v.mu.Unlock()
	v.emit(Event{Kind: EventRound, Round: &r})
	return r
}

func (v *Vantage) decide(ctx context.Context, r *Round) {
	// The cache saves API reads only while all is well. When this vantage
	// point's own check of either origin just failed, a cached snapshot
	// must not decide "nothing to do": a cached "on the standby, failback
	// manual" once hid, for the cache's whole minute, that an operator had
	// moved the record back to a primary that then failed again.
	read := v.o.DNS.Read
	if !r.Primary.OK || !r.Standby.OK {
		read = v.o.DNS.Fresh
	}
	if v.teller.pending != nil {
		read = v.o.DNS.Fresh // to learn whether that write committed
	}
	snap, err := read(ctx)
	if err != nil {
		v.backoff.readFailed()
		v.fail(r, "read DNS", err)
		return
	}
	v.settlePending(snap)
	v.noteProviders(snap)
	st, err := v.current(snap)
	if err != nil {
		v.fail(r, "read state", err)
		return
	}
	r.Record, r.Active = &snap, st.Active
	v.tellHoldEnded(snap.Name, st)

	in := failover.Input{
		State:        st,
		PrimaryFails: probe.ConsecutiveFailures(v.primary.Results()),
		PrimaryOKs:   probe.ConsecutiveSuccesses(v.primary.Results()),
		Parity:       v.parityInput(),
		Now:          v.o.Now(),
	}
	r.Recheck = failover.Recheck(v.o.Policy, in)
	d := failover.Decide(v.o.Policy, in)
	r.Decision = d
	if d.Action != failover.AskPeers {
		return
	}
	// Suspicion: read the state again (another vantage may have switched
	// already) and ask every peer for a fresh observation. While backing
	// off after failed writes the read is still made: it is how this
	// vantage point learns that the API answers again (writeBackoff).
	snap, err = v.o.DNS.Fresh(ctx)
	if err != nil {
		v.backoff.readFailed()
		v.fail(r, "read DNS", err)
		return
	}
	if v.backoff.readOK(in.Now) {
		v.o.Log.Info("the DNS API answers again: trying the switch now instead of waiting out the write backoff")
	}
	if st, err = v.current(snap); err != nil {
		v.fail(r, "read state", err)
		return
	}
	r.Record, r.Active, in.State = &snap, st.Active, st
	if d = failover.Decide(v.o.Policy, in); d.Action != failover.AskPeers {
		r.Decision = d
		return
	}
	if why, hold := v.backoff.holding(in.Now); hold {
		r.Decision = failover.Decision{Action: failover.Hold, To: d.To, Reason: d.Reason + "; " + why}
		return
	}
	v.emit(Event{Kind: EventSuspect, To: d.To, Reason: d.Reason})

	votes, verdict, d := v.askPeers(ctx, r, &in)
	if d.Action == failover.Switch && d.To == state.Standby && !verdict.DownSpare {
		// The verdict rests on one check: confirm it with fresh checks
		// before moving traffic (quorum.Verdict.DownSpare). A real outage
		// fails them again; one check failing on its own does not twice.
		v.o.Log.Info("the verdict rests on a single down vote: asking again before switching", "reason", verdict.Reason)
		votes, verdict, d = v.askPeers(ctx, r, &in)
	}
	r.Decision = d
	v.o.Log.Info("verdict", "action", d.Action, "to", d.To, "reason", d.Reason,
		"down", verdict.Down, "up", verdict.Up, "abstained", verdict.Abstained, "ignored", verdict.Ignored)

	switch d.Action {
	case failover.Refuse:
		v.emit(Event{Kind: EventRefused, To: d.To, Reason: d.Reason, Verdict: &verdict})
		v.tellRefused(snap.Name, st, d, verdict, votes)
	case failover.Switch:
		v.switchTo(ctx, r, snap, st, d, in.Now)
	}
}

// askPeers gathers fresh votes, applies the quorum rule, and decides again
// with the verdict; in and r carry the verdict and the standby's
// client-path finding for the decision and the round's report.
func (v *Vantage) askPeers(ctx context.Context, r *Round, in *failover.Input) ([]quorum.Vote, quorum.Verdict, failover.Decision) {
	votes, observed := v.votes(ctx)
	verdict := quorum.Decide(v.o.Now(), votes, v.o.Rule)
	r.Verdict = &verdict
	in.Verdict = &verdict
	in.StandbyClientPath = standbyClientPath(observed, verdict, v.o.Rule)
	r.StandbyClientPath = in.StandbyClientPath
	return votes, verdict, failover.Decide(v.o.Policy, *in)
}

// votes gathers this vantage's own fresh vote and every peer's. A peer
// that does not answer, answers late or answers with a bad signature
// abstains (the peer client logs why): it is never counted as down.
//
// The own vote is a check made now, beside the peers' (which check when
// asked), not the round's first observation: that one was stamped before
// the DNS reads, and during an API brownout those reads and their retries
// can outlast the quorum's MaxAge (CLOCK_SKEW), which would drop this
// vantage point's own vote while every peer's counted.
func (v *Vantage) votes(ctx context.Context) ([]quorum.Vote, []peers.Observation) {
	var own peers.Observation
	var wg sync.WaitGroup
	wg.Go(func() { own = v.Observe(ctx) })
	replies := v.o.PeerClient.ObserveAll(ctx, v.o.Peers)
	wg.Wait()
	votes := []quorum.Vote{voteOf(own)}
	observed := []peers.Observation{own}
	for _, reply := range replies {
		if reply.Err != nil {
			continue // the peer client has logged why
		}
		votes = append(votes, voteOf(reply.Obs))
		observed = append(observed, reply.Obs)
	}
	return votes, observed
}

func voteOf(o peers.Observation) quorum.Vote {
	return quorum.Vote{Vantage: o.Vantage, PrimaryUp: o.Primary.OK, StandbyUp: o.Standby.OK, At: o.At}
}

// switchTo writes d; decidedAt is the round's decision time, from which a
// failed write's backoff is measured.
func (v *Vantage) switchTo(ctx context.Context, r *Round, snap dns.Snapshot, st state.State, d failover.Decision, decidedAt time.Time) {
	target := v.o.PrimaryTarget
	if d.To == state.Standby {
		target = v.o.StandbyTarget
	}
	if !v.o.DryRun {
		var moved bool
		if snap, moved = v.yieldToFirstWriter(ctx, r, snap, d); moved || r.Error != "" {
			return
		}
	}
	next := st.Next(d.To, v.o.ID, d.Reason, false, v.o.Now())
	next.Dwell = d.Dwell
	if v.o.DryRun {
		v.o.Log.Warn("dry run: would switch", "record", snap.Name, "from", snap.Content, "to", target, "state", next.Format())
		v.emit(Event{Kind: EventDryRun, To: d.To, Target: target, Generation: next.Gen, Reason: d.Reason})
		return
	}
	after, err := v.o.DNS.Write(ctx, dns.Change{Target: target, State: next, From: snap.Content})
	if err == nil || errors.Is(err, dns.ErrStale) || errors.Is(err, dns.ErrSuperseded) {
		v.backoff.succeeded()
	}
	if errors.Is(err, dns.ErrStale) {
		v.o.Log.Info("the state or the record changed since the decision (another writer, or a hand change); giving up this switch", "error", err)
		v.emit(Event{Kind: EventStale, To: d.To, Reason: err.Error()})
		return
	}
	if errors.Is(err, dns.ErrSuperseded) {
		// This switch happened; a newer one followed before the read-back.
		r.Record, r.Active, r.Switched = &after, after.State.Active, true
		v.o.Log.Warn("switched; a newer write has since replaced it", "record", after.Name, "from", snap.Content, "to", target,
			"generation", next.Gen, "now", after.Content, "now_generation", after.State.Gen, "reason", d.Reason)
		v.emit(Event{Kind: EventSwitched, To: d.To, Target: target, Generation: next.Gen, Reason: d.Reason})
		committed := after
		committed.Content, committed.State = target, next
		v.tellSwitched(st, committed, d, r.Verdict)
		return
	}
	if err != nil {
		// The write may have committed before failing (a read-back cut
		// short): the next read settles it (notify.go).
		r.writeFailed = true
		v.teller.pending = &pendingSwitch{before: st, next: next, d: d, verdict: r.Verdict}
		attempt := "next round"
		if wait := v.backoff.failed(decidedAt, v.o.WriteBackoff); wait > 0 {
			attempt = "in " + wait.Round(time.Millisecond).String()
		}
		v.fail(r, "switch "+snap.Name+" to "+string(d.To), fmt.Errorf("%w (next attempt %s)", err, attempt))
		return
	}
	r.Record, r.Active, r.Switched = &after, after.State.Active, true
	v.o.Log.Warn("switched", "record", after.Name, "from", snap.Content, "to", after.Content,
		"active", after.State.Active, "generation", after.State.Gen, "reason", d.Reason)
	v.emit(Event{Kind: EventSwitched, To: d.To, Target: after.Content, Generation: after.State.Gen, Reason: d.Reason})
	v.tellSwitched(st, after, d, r.Verdict)
}

// current returns the state of the record; a record changed by hand, or
// whose state disagrees with it, is left alone (dns.UnmanagedError).
func (v *Vantage) current(snap dns.Snapshot) (state.State, error) {
	return snap.Current(v.o.PrimaryTarget, v.o.StandbyTarget)
}

func (v *Vantage) fail(r *Round, doing string, err error) {
	r.Error = fmt.Sprintf("%s: %v", doing, err)
	v.o.Log.Error(doing, "error", err)
	v.emit(Event{Kind: EventError, Reason: r.Error})
}

func (v *Vantage) emit(e Event) {
	if v.o.Events == nil {
		return
	}
	e.Vantage, e.At = v.o.ID, v.o.Now()
	v.o.Events(e)
}

// Notifier returns the vantage point's notifier (nil when none): a Lambda
// invocation flushes it before returning, the local world closes it.
func (v *Vantage) Notifier() *notify.Notifier { return v.o.Notify }

// Last returns the most recent round.
func (v *Vantage) Last() Round {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.last
}

// forgetStale starts the streaks afresh when the last round is older than
// ForgetAfter (see Options.ForgetAfter). Called under roundMu.
func (v *Vantage) forgetStale(now time.Time) {
	last := v.lastRoundAt
	v.lastRoundAt = now
	if last.IsZero() || v.o.ForgetAfter <= 0 || now.Sub(last) <= v.o.ForgetAfter {
		return
	}
	v.o.Log.Info("forgetting results from an earlier run", "last_round", last, "gap", now.Sub(last).Round(time.Second))
	v.primary = probe.NewHistory(v.o.History)
	v.standby = probe.NewHistory(v.o.History)
}
