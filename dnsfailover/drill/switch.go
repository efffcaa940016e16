package drill

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// provider builds the configured DNS provider for record, through the same
// assemble.Provider a vantage point uses, so the drill exercises the real
// API calls, token and zone. The drill record is switched alone: a failover
// group's other records are real traffic.
func (r *run) provider(record string) (dns.Provider, error) {
	c := r.c
	c.Record, c.Group = record, nil
	return assemble.Provider(c, r.o.Deps)
}

// rehearse switches the drill record to the standby and back, timing the
// API write, an independent read-back and the authoritative answer of each
// move. Once the record has moved to the standby it is always moved back,
// whatever failed in between.
func (r *run) rehearse(ctx context.Context) {
	name := r.c.DrillRecord
	p, err := r.provider(name)
	if err != nil {
		r.step("read drill record", func() (Status, string, string) { return Fail, "", err.Error() })
		r.skipSwitch("the DNS provider could not be built")
		return
	}
	var snap dns.Snapshot
	s := r.step("read drill record", func() (Status, string, string) {
		snap, err = p.Read(ctx)
		switch {
		case err != nil:
			return Fail, "", err.Error() + fmt.Sprintf(" (create %s pointing at %s, with its state TXT %s, as for the real record)", name, r.c.PrimaryTarget, state.RecordName(name))
		case !dns.SameTarget(snap.Content, r.c.PrimaryTarget):
			return Fail, "", fmt.Sprintf("%s points at %q, want the primary target %q (a drill that did not finish leaves it on the standby; point it back at the primary)", name, snap.Content, r.c.PrimaryTarget)
		case snap.HasState && snap.State.Active != state.Primary:
			return Fail, "", fmt.Sprintf("%s points at the primary but its state TXT says %s; fix the TXT %s", name, snap.State.Active, state.RecordName(name))
		}
		return Pass, fmt.Sprintf("%s %s → %s, state gen %d", name, snap.Type, snap.Content, snap.State.Gen), ""
	})
	if s.Status != Pass {
		r.skipSwitch("the drill record is not ready")
		return
	}
	cur := snap.State
	if !snap.HasState {
		cur = state.State{Active: state.Primary}
	}
	r.standbyServesClients(ctx)
	next, ok := r.move(ctx, p, cur, state.Standby, r.c.StandbyTarget)
	if ok {
		r.clientsGetStandby(ctx)
	} else {
		r.skip(stepClientsGet, "the switch to the standby did not complete")
	}
	if !ok {
		r.skip("write primary", "the switch to the standby did not complete")
		r.skip("read back primary", "the switch to the standby did not complete")
		r.skip("DNS answers primary", "the switch to the standby did not complete")
		return
	}
	// Moving back must happen even when the drill is interrupted (Ctrl-C,
	// an invocation near its deadline): a drill record left on the standby
	// fails the next drill. It gets its own bound instead.
	back, cancel := context.WithTimeout(context.WithoutCancel(ctx), restoreTimeout)
	defer cancel()
	r.move(back, p, next, state.Primary, r.c.PrimaryTarget)
}

// restoreTimeout bounds the move back to the primary, DNS wait included.
const restoreTimeout = 30 * time.Second

func (r *run) skipSwitch(why string) {
	for _, side := range []string{"standby", "primary"} {
		r.skip("write "+side, why)
		r.skip("read back "+side, why)
		r.skip("DNS answers "+side, why)
	}
}

// move writes side to the drill record, reads it back and waits for the
// authoritative answer. It returns the state written and whether the
// write succeeded (the record moved, whatever the later steps found).
func (r *run) move(ctx context.Context, p dns.Provider, cur state.State, side state.Side, target string) (state.State, bool) {
	next := cur.Next(side, "drill:"+r.o.By, "drill: rehearsal, switch to "+string(side), false, r.now())
	change := dns.Change{Target: target, State: next}
	var after dns.Snapshot
	var err error
	w := r.step("write "+string(side), func() (Status, string, string) {
		after, err = p.Write(ctx, change)
		switch {
		case errors.Is(err, dns.ErrStale):
			return Fail, "", "another writer moved the drill record meanwhile (is another drill running?): " + err.Error()
		case errors.Is(err, dns.ErrSuperseded):
			return Fail, "", "the write committed, then another writer moved the drill record (is another drill running?): " + err.Error()
		case err != nil:
			return Fail, "", "the DNS API refused or failed the write: " + err.Error()
		}
		return Pass, fmt.Sprintf("→ %s, gen %d → %d", after.Content, cur.Gen, after.State.Gen), ""
	})
	if w.Status != Pass {
		r.skip("read back "+string(side), "the write failed")
		r.skip("DNS answers "+string(side), "the write failed")
		// A write can commit and still fail (read-back error, the caller
		// gave up): if the record moved, say so, so that it is moved back.
		return next, landed(ctx, p, change)
	}
	r.step("read back "+string(side), func() (Status, string, string) {
		got, err := p.Read(ctx)
		switch {
		case err != nil:
			return Fail, "", err.Error()
		case !dns.SameTarget(got.Content, target) || got.State.Gen != next.Gen || got.State.Active != side:
			return Fail, "", fmt.Sprintf("read %s gen %d (%s), want %s gen %d (%s)", got.Content, got.State.Gen, got.State.Active, target, next.Gen, side)
		}
		return Pass, fmt.Sprintf("%s, state %s gen %d", got.Content, got.State.Active, got.State.Gen), ""
	})
	r.dnsAnswer(ctx, string(side), target)
	return next, true
}

// landed reads the record once more, on a context of its own, and reports
// whether change is there although its write failed.
func landed(ctx context.Context, p dns.Provider, change dns.Change) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	snap, err := p.Read(ctx)
	return err == nil && snap.Holds(change)
}
