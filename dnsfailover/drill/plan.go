package drill

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// plan is the dry run on the real record: it reads the record and says
// what an automatic failover would do if the primary failed now, asking
// failover.Decide itself rather than restating its rules. It never writes:
// the provider is only read.
func (r *run) plan(ctx context.Context, primary probe.Result) {
	c := r.c
	p, err := r.provider(c.Record)
	var snap dns.Snapshot
	read := r.step("read record", func() (Status, string, string) {
		if err != nil {
			return Fail, "", err.Error()
		}
		if snap, err = p.Read(ctx); err != nil {
			return Fail, "", err.Error()
		}
		return Pass, fmt.Sprintf("%s %s → %s, state %s", snap.Name, snap.Type, snap.Content, stateText(snap)), ""
	})
	if read.Status != Pass {
		r.skip("plan", "the record could not be read")
		return
	}
	r.step("plan", func() (Status, string, string) {
		cur, err := snap.Current(c.PrimaryTarget, c.StandbyTarget)
		var unmanaged *dns.UnmanagedError
		switch {
		case errors.As(err, &unmanaged):
			r.rep.Plan = "nothing: " + unmanaged.Why + ", so automation will not touch it"
			return Fail, "", unmanaged.Error()
		case err != nil:
			return Fail, "", err.Error()
		}
		// The same decision a vantage point makes, asked with the primary
		// failing now: FAIL_AFTER failures, then the verdict of the voters
		// that answered the quorum round all saying down.
		pol, now := assemble.Policy(c), r.now()
		in := failover.Input{State: cur, PrimaryFails: c.FailAfter, Now: now}
		if p := r.rep.Parity; p != nil {
			in.Parity = &failover.Parity{OK: p.OK, PrimaryPassed: primary.OK, At: now, Reason: p.Reason}
		}
		d := failover.Decide(pol, in)
		if d.Action != failover.AskPeers {
			r.rep.Plan = "nothing: " + d.Reason
			if cur.Pinned {
				r.rep.Plan += "; run failover auto to hand it back to automation"
			}
			return Pass, r.rep.Plan, ""
		}
		in.Verdict = r.ifDown
		if in.Verdict == nil {
			in.Verdict = &quorum.Verdict{PrimaryDown: true, StandbyUp: true, Reason: "assumed: no quorum round was run"}
		}
		d = failover.Decide(pol, in)
		next := cur.Next(state.Standby, "<vantage>", "primary down: <quorum>", false, now)
		next.Dwell = d.Dwell
		r.rep.Plan = fmt.Sprintf("if %d consecutive checks fail and the quorum agrees: write %s %s → %s and %s %q",
			c.FailAfter, c.Record, c.RecordType, c.StandbyTarget, state.RecordName(c.Record), next.Format())
		if d.Action != failover.Switch {
			return Fail, r.rep.Plan, "a failover now would be refused: " + d.Reason
		}
		if v := r.rep.Verdict; v != nil {
			r.rep.Plan += fmt.Sprintf("; right now %d/%d vantage points say the primary is down, %d needed", v.Down, v.Configured, v.Quorum)
		}
		return Pass, "a failover could switch now (see below)", ""
	})
}

func stateText(s dns.Snapshot) string {
	if !s.HasState {
		return "none yet"
	}
	pin := ""
	if s.State.Pinned {
		pin = ", pinned"
	}
	return fmt.Sprintf("%s gen %d by %s%s", s.State.Active, s.State.Gen, s.State.By, pin)
}
