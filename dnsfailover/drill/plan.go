package drill

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// plan is the dry run on the real record: it reads the record and says
// what an automatic failover would do if the primary failed now. It never
// writes: the provider is only read.
func (r *run) plan(ctx context.Context) {
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
		case cur.Pinned:
			r.rep.Plan = fmt.Sprintf("nothing: pinned to the %s by %s; run failover auto to hand it back to automation", cur.Active, cur.By)
			return Pass, r.rep.Plan, ""
		case cur.Active == state.Standby:
			r.rep.Plan = fmt.Sprintf("nothing: already on the standby (failback %s)", c.Failback)
			return Pass, r.rep.Plan, ""
		}
		next := cur.Next(state.Standby, "<vantage>", "primary down: <quorum>", false, r.now())
		r.rep.Plan = fmt.Sprintf("if %d consecutive checks fail and the quorum agrees: write %s %s → %s and %s %q",
			c.FailAfter, c.Record, c.RecordType, c.StandbyTarget, state.RecordName(c.Record), next.Format())
		if s, ok := r.rep.Step("quorum round"); ok && s.Status == Fail {
			return Fail, r.rep.Plan, "a failover now would be refused: " + s.Reason
		}
		if p := r.rep.Parity; p != nil && !p.OK && c.ParityRequired {
			return Fail, r.rep.Plan, "a failover now would be refused (SWITCHYARD_PARITY_REQUIRED): " + p.Reason
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
