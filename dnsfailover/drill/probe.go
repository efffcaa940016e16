package drill

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
)

// probes checks both origins from here, each a timed step.
func (r *run) probes(ctx context.Context) (primary, standby probe.Result) {
	pf, sf, err := assemble.Probes(r.c, r.o.Deps)
	if err != nil {
		r.step("probe primary", func() (Status, string, string) { return Fail, "", err.Error() })
		r.skip("probe standby", "the checks could not be built")
		return
	}
	check := func(name string, f probe.Func, out *probe.Result) {
		r.step(name, func() (Status, string, string) {
			*out = f(ctx)
			if !out.OK {
				return Fail, "", out.Reason
			}
			return Pass, fmt.Sprintf("%d, %d bytes in %s", out.Status, out.Size, dur(out.Latency)), ""
		})
	}
	check("probe primary", pf, &primary)
	check("probe standby", sf, &standby)
	return primary, standby
}

// quorumRound asks every peer for a fresh observation, as a vantage point
// does on suspicion, and applies the configured quorum rule twice: to the
// votes as they are (is the standby healthy by quorum, is anyone saying
// the primary is down), and to the same voters all saying "down" (could a
// real outage reach the quorum with the vantage points that answered).
func (r *run) quorumRound(ctx context.Context, primary, standby probe.Result) {
	c := r.c
	if len(c.Peers) == 0 {
		r.skip("quorum round", "SWITCHYARD_PEERS is not set: no vantage point to ask")
		return
	}
	if c.Secret == "" {
		r.step("quorum round", func() (Status, string, string) {
			return Fail, "", "SWITCHYARD_SECRET is not set: peers answer only signed requests"
		})
		return
	}
	r.step("quorum round", func() (Status, string, string) {
		self := c.Vantage
		if self == "" {
			self = "drill:" + r.o.By
		}
		client := assemble.PeerClient(c, self, r.o.Deps)
		var votes, allDown []quorum.Vote
		if c.Vantage != "" {
			votes = append(votes, quorum.Vote{Vantage: c.Vantage, PrimaryUp: primary.OK, StandbyUp: standby.OK, At: r.now()})
			r.rep.Peers = append(r.rep.Peers, PeerAnswer{ID: c.Vantage, Answered: true, At: r.now(), PrimaryOK: primary.OK, StandbyOK: standby.OK, Self: true})
		}
		for _, reply := range client.ObserveAll(ctx, assemble.Peers(c)) {
			a := PeerAnswer{ID: reply.Peer.ID, Answered: reply.Err == nil, Error: errText(reply.Err)}
			if reply.Err == nil {
				a.At, a.PrimaryOK, a.StandbyOK = reply.Obs.At, reply.Obs.Primary.OK, reply.Obs.Standby.OK
				votes = append(votes, quorum.Vote{Vantage: reply.Obs.Vantage, PrimaryUp: a.PrimaryOK, StandbyUp: a.StandbyOK, At: reply.Obs.At})
			}
			r.rep.Peers = append(r.rep.Peers, a)
		}
		sort.Slice(r.rep.Peers, func(i, j int) bool { return r.rep.Peers[i].ID < r.rep.Peers[j].ID })
		for _, v := range votes {
			v.PrimaryUp = false
			allDown = append(allDown, v)
		}
		rule := c.QuorumRule()
		now := r.now()
		verdict := quorum.Decide(now, votes, rule)
		r.rep.Verdict = &verdict
		reachable := quorum.Decide(now, allDown, rule)
		r.ifDown = &reachable

		var answered, silent []string
		for _, a := range r.rep.Peers {
			if a.Answered {
				answered = append(answered, a.ID)
			} else {
				silent = append(silent, a.ID)
			}
		}
		detail := fmt.Sprintf("%d/%d vantage points answered (%s); quorum: %d from %d providers",
			len(answered), len(rule.Vantages), strings.Join(answered, ", "), rule.Quorum, rule.MinProviders)
		if len(silent) > 0 {
			detail += "; no answer from " + strings.Join(silent, ", ")
		}
		switch {
		case !reachable.PrimaryDown:
			return Fail, detail, fmt.Sprintf("quorum cannot be reached: if the primary failed now, the %d vantage points that answered could not switch (%s)",
				len(answered), reachable.Reason)
		case !verdict.StandbyUp:
			return Fail, detail, "the standby is not healthy by quorum: " + verdict.Reason
		}
		return Pass, fmt.Sprintf("%s; standby healthy %d/%d; primary down %d/%d",
			detail, verdict.StandbyHealthy, len(rule.Vantages), verdict.Down, len(rule.Vantages)), ""
	})
}

// parity compares the canary results of the probe steps and fetches the
// sample keys (SWITCHYARD_PARITY_KEYS) from both origins.
//
// As on a vantage point, only origins that pass their own checks are
// compared: a primary serving wrong bytes fails its probe step, and its
// difference from the standby must not read as the standby's fault.
func (r *run) parity(ctx context.Context, primary, standby probe.Result) {
	switch {
	case !primary.OK:
		r.skip("parity", "not compared: the primary fails its own check ("+primary.Reason+"), a primary failure, not a parity one")
		return
	case !standby.OK:
		r.skip("parity", "not compared: the standby fails its own check ("+standby.Reason+")")
		return
	}
	r.step("parity", func() (Status, string, string) {
		rep := assemble.Parity(r.c, r.o.Deps).Check(ctx, primary, standby)
		r.rep.Parity = &rep
		switch {
		case !rep.OK:
			return Fail, "", rep.Reason
		case !rep.Comparable():
			return Fail, "", "nothing could be compared: " + rep.Objects[0].Reason
		}
		if len(rep.Objects) == 1 {
			return Pass, rep.Reason + " (the canary; set SWITCHYARD_PARITY_KEYS to compare sample objects too)", ""
		}
		return Pass, rep.Reason, ""
	})
}
