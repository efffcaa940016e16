package vantage

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/notify"
	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// Who tells people (Options.Notify), so that every event is told once
// across the fleet without the vantage points talking about it:
//
//   - a switch or failback: the vantage point whose write committed. Every
//     write is a compare-and-swap, so exactly one commits per generation;
//     the others learn of it as stale or by reading, and say nothing.
//   - a refusal while the quorum says the primary is down: the decider,
//     the vantage point with the smallest id among the votes counted as
//     down (every vantage point deciding in that outage sees the same
//     down voters), at most once per state generation and cause. When a
//     smaller id gave no vote, it tells only after refusalGrace such
//     rounds in a row: a late reply then causes no second message, while
//     a dead decider's is told a few rounds late. A vantage point cut off
//     from the decider's replies for that long, while both keep refusing,
//     still tells a second time: without a channel between them, one of
//     the two messages, a duplicate or a lost one, has to be risked.
//   - DNS writes failing: the vantage point whose writes fail (the writer;
//     the others yield to it, writer.go), once when the streak reaches
//     NotifyDNSFailures rounds.
//   - parity failing: the first configured vantage point by id, when
//     parity starts failing or the failing keys change.
type teller struct {
	mu      sync.Mutex
	refused map[string]bool // "gen/cause" already told
	// standIn counts this vantage point's refusals in a row in which it
	// was the decider only because a configured vantage point with a
	// smaller id gave no vote (tellRefused).
	standIn  int
	dnsFails int // rounds in a row with a failed write; under roundMu
	// pending is a write whose outcome is unknown (it failed after it may
	// have committed: the read-back timed out, the invocation ended); the
	// next read tells whether it committed. Under roundMu.
	pending *pendingSwitch
	// holdTold is the generation of the last hold whose end was told.
	holdTold uint64
	// disagree is the DNS providers' disagreement seen ("gen/providers"),
	// for disagreeRounds reads in a row; disagreeTold the last one told.
	// Under roundMu.
	disagree, disagreeTold string
	disagreeRounds         int
}

// noteProviders counts reads in a row in which several DNS providers
// disagree (dns/multi), and tells once per disagreement (the newest
// generation and the providers not holding it) when it has lasted
// NotifyDNSFailures reads: right after a switch, a provider still
// finishing its write (a Route 53 change being synced) is no page. Told by
// the first configured vantage point by id. Called under roundMu.
func (v *Vantage) noteProviders(snap dns.Snapshot) {
	off := snap.Disagreeing()
	if len(off) == 0 {
		v.teller.disagree, v.teller.disagreeRounds, v.teller.disagreeTold = "", 0, ""
		return
	}
	key := fmt.Sprintf("%d/%s", snap.State.Gen, strings.Join(off, ","))
	if key != v.teller.disagree {
		v.teller.disagree, v.teller.disagreeRounds = key, 0
	}
	v.teller.disagreeRounds++
	if v.teller.disagreeRounds < max(v.o.NotifyDNSFailures, 1) || v.teller.disagreeTold == key {
		return
	}
	v.teller.disagreeTold = key
	var why []string
	for _, p := range snap.Providers {
		if !p.Agrees {
			why = append(why, p.Provider+": "+p.Error)
		}
	}
	reason := fmt.Sprintf("newest gen %d (%s); %s", snap.State.Gen, snap.Content, strings.Join(why, "; "))
	v.o.Log.Warn("the DNS providers disagree", "providers", off, "gen", snap.State.Gen, "reason", reason)
	v.emit(Event{Kind: EventDNSDisagree, Target: snap.Content, Generation: snap.State.Gen, Reason: reason})
	if len(v.o.Rule.Vantages) > 0 && slices.Min(v.o.Rule.Vantages) != v.o.ID {
		return
	}
	v.tell(notify.Event{Kind: notify.DNSDisagree, Record: snap.Name, Active: string(snap.State.Active),
		Target: snap.Content, Generation: snap.State.Gen, Reason: reason})
}

// tellHoldEnded tells, from the first configured vantage point by id, that
// the maintenance hold of st ran out, once per generation. Called under
// roundMu.
func (v *Vantage) tellHoldEnded(record string, st state.State) {
	now := v.o.Now()
	if !st.HoldEnded(now) || v.teller.holdTold == st.Gen+1 {
		return
	}
	if len(v.o.Rule.Vantages) > 0 && slices.Min(v.o.Rule.Vantages) != v.o.ID {
		return
	}
	v.teller.holdTold = st.Gen + 1 // +1: generation 0 is a real one
	v.o.Log.Info("maintenance hold ended; automation resumes", "until", st.Until, "by", st.By)
	v.tell(notify.Event{Kind: notify.HoldEnded, Record: record, Active: string(st.Active), Generation: st.Gen,
		Until: st.Until, By: st.By, Reason: st.Reason})
}

type pendingSwitch struct {
	before  state.State
	next    state.State
	d       failover.Decision
	verdict *quorum.Verdict
}

// settlePending tells of a write whose outcome was unknown once a read
// shows it committed: the state holds its generation, by this vantage
// point, with its side. Called under roundMu with every fresh read.
func (v *Vantage) settlePending(snap dns.Snapshot) {
	p := v.teller.pending
	if p == nil || snap.State.Gen < p.next.Gen {
		return
	}
	v.teller.pending = nil
	if snap.State.Gen == p.next.Gen && snap.State.By == p.next.By && snap.State.Active == p.next.Active {
		v.o.Log.Info("a switch whose write had failed was committed after all", "generation", p.next.Gen)
		v.tellSwitched(p.before, snap, p.d, p.verdict)
	}
}

func (v *Vantage) tell(e notify.Event) {
	if v.o.Notify == nil {
		return
	}
	e.Vantage, e.At = v.o.ID, v.o.Now()
	v.o.Notify.Notify(e)
}

// tellSwitched tells of a committed write of d.
func (v *Vantage) tellSwitched(before state.State, after dns.Snapshot, d failover.Decision, verdict *quorum.Verdict) {
	e := notify.Event{
		Kind: notify.Switched, Record: after.Name, Active: string(d.To), Target: after.Content,
		Generation: after.State.Gen, Reason: d.Reason, By: v.o.ID,
	}
	if verdict != nil {
		e.Verdict = verdict.Reason
	}
	if d.To == state.Primary {
		e.Kind = notify.FailedBack
		if !before.Since.IsZero() {
			e.FaultFor = v.o.Now().Sub(before.Since)
		}
	} else {
		e.FaultFor = v.faultFor()
	}
	v.tell(e)
}

// faultFor is how long the primary has been failing by this vantage
// point's own checks: since the first of the current failure streak.
func (v *Vantage) faultFor() time.Duration {
	res := v.primary.Results()
	i := len(res)
	for i > 0 && !res[i-1].OK {
		i--
	}
	if i == len(res) {
		return 0
	}
	return v.o.Now().Sub(res[i].At)
}

// tellRefused tells of a refused failover when this vantage point is the
// decider (see teller), once per generation and cause.
func (v *Vantage) tellRefused(record string, st state.State, d failover.Decision, verdict quorum.Verdict, votes []quorum.Vote) {
	if d.To != state.Standby || !verdict.PrimaryDown {
		return // no outage by quorum: nothing to tell
	}
	var down []string
	for _, vote := range votes {
		if !vote.PrimaryUp && slices.Contains(verdict.Counted, vote.Vantage) {
			down = append(down, vote.Vantage)
		}
	}
	if len(down) == 0 || slices.Min(down) != v.o.ID {
		v.teller.mu.Lock()
		v.teller.standIn = 0
		v.teller.mu.Unlock()
		return
	}
	// A configured vantage point with a smaller id that gave no vote this
	// round may be the decider all the same: its reply to this vantage
	// point was late or lost, while its own round counts itself. Telling
	// now would tell twice. A dead one never answers again, so this
	// vantage point becomes the decider after refusalGrace such rounds in
	// a row: one late reply is no second message, and a dead decider
	// delays the message by a few rounds, never drops it.
	missing := false
	for _, id := range v.o.Rule.Vantages {
		if id < v.o.ID && !slices.ContainsFunc(votes, func(vote quorum.Vote) bool { return vote.Vantage == id }) {
			missing = true
		}
	}
	cause := "parity"
	switch {
	case !verdict.StandbyUp:
		cause = "standby_unhealthy"
	case strings.HasPrefix(d.Reason, failover.ClientPathRefusal):
		cause = "client_path"
	}
	key := fmt.Sprintf("%d/%s", st.Gen, cause)
	v.teller.mu.Lock()
	if v.teller.refused == nil {
		v.teller.refused = map[string]bool{}
	}
	if !missing {
		v.teller.standIn = 0
	} else {
		v.teller.standIn++
		if v.teller.standIn < refusalGrace {
			v.teller.mu.Unlock()
			return
		}
	}
	told := v.teller.refused[key]
	v.teller.refused[key] = true
	v.teller.mu.Unlock()
	if told {
		return
	}
	v.tell(notify.Event{
		Kind: notify.Refused, Record: record, Active: string(st.Active), Generation: st.Gen,
		Reason: d.Reason, Verdict: verdict.Reason, Cause: cause, FaultFor: v.faultFor(),
	})
}

// refusalGrace is how many refusals in a row a vantage point makes as the
// decider only because a smaller id gave no vote before it tells in that
// one's stead (tellRefused).
const refusalGrace = 3

// countWrites counts rounds in a row with a failed DNS write and tells
// once when there are NotifyDNSFailures. Called under roundMu.
func (v *Vantage) countWrites(r *Round, writeFailed bool) {
	if !writeFailed {
		if r.Switched || r.Error == "" {
			v.teller.dnsFails = 0
		}
		return
	}
	v.teller.dnsFails++
	if n := max(v.o.NotifyDNSFailures, 1); v.teller.dnsFails == n {
		name := ""
		if r.Record != nil {
			name = r.Record.Name
		}
		v.tell(notify.Event{Kind: notify.DNSFailing, Record: name, Active: string(r.Active),
			Reason: fmt.Sprintf("%d rounds in a row: %s", n, r.Error)})
	}
}

// tellClientPath tells that the standby would not serve clients at the
// record's name, from the first configured vantage point only.
func (v *Vantage) tellClientPath(record, reason string) {
	if len(v.o.Rule.Vantages) > 0 && slices.Min(v.o.Rule.Vantages) != v.o.ID {
		return
	}
	v.tell(notify.Event{Kind: notify.ClientPathFailed, Record: record, Reason: reason})
}

// tellParity tells of a parity failure from the first configured vantage
// point only.
func (v *Vantage) tellParity(record, reason string) {
	if len(v.o.Rule.Vantages) > 0 && slices.Min(v.o.Rule.Vantages) != v.o.ID {
		return
	}
	v.tell(notify.Event{Kind: notify.ParityFailed, Record: record, Reason: reason})
}
