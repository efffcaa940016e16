package scenario

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// clientPath are the scenarios of the client-path check
// (dnsfailover/probe/CLIENTPATH.md): an origin that answers its own URL
// but not the record's name.
var clientPath = []Scenario{
	{
		Name: "standby-no-custom-domain",
		About: "the standby's certificate lacks the record's name (the custom domain was never attached): every vantage point reports it, " +
			"and when the primary then fails the automatic failover is refused with that reason",
		Play: func(ctx context.Context, s *Stage) error {
			want := fmt.Sprintf("certificate valid for %s, not %s", world.StandbyTarget, world.Record)
			mark := s.R.Mark()
			var err error
			s.Inject("standby's certificate covers only "+world.StandbyTarget, func() { err = s.W.StandbyFront.SetCertNames(world.StandbyTarget) })
			if err != nil {
				return err
			}
			wctx, cancel := Within(ctx, 20*s.W.Options().Interval+10*time.Second)
			defer cancel()
			if err := s.R.WaitFor(wctx, mark, "client_path_failed naming the certificate from every vantage point", func(evs []world.Event) bool {
				for _, id := range s.alive() {
					if Count(evs, func(e world.Event) bool {
						return Kind(vantage.EventClientPathFailed, id)(e) && strings.Contains(e.Reason, want)
					}) == 0 {
						return false
					}
				}
				return true
			}); err != nil {
				return err
			}
			mark = s.R.Mark()
			s.Inject("primary origin returns 503 to everyone", func() { s.W.Primary.SetDown(true) })
			rctx, cancel2 := Within(ctx, 3*s.Bound())
			defer cancel2()
			if err := s.R.WaitFor(rctx, mark, "a refused failover naming the certificate", func(evs []world.Event) bool {
				return slices.ContainsFunc(evs, func(e world.Event) bool {
					return e.Kind == vantage.EventRefused && strings.Contains(e.Reason, "would not serve clients") && strings.Contains(e.Reason, want)
				})
			}); err != nil {
				return err
			}
			if n := Count(s.R.Since(mark), SwitchTo(state.Standby)); n > 0 || s.W.CurrentAnswer() != world.PrimaryTarget {
				return errors.New("switched to a standby whose certificate does not cover the record's name")
			}
			s.W.Fault(world.EventNote, "failover refused: "+want)
			s.Heal("primary origin recovers", func() { s.W.Primary.SetDown(false) })
			return nil
		},
	},
	{
		Name: "primary-domain-broken",
		About: "SWITCHYARD_CLIENT_PATH=both: the primary's own URL keeps working but it no longer serves the record's name (404 for that Host): " +
			"a primary failure, switch to the standby",
		Configure: func(o *world.Options) { o.ClientPath = "both" },
		Play: func(ctx context.Context, s *Stage) error {
			s.Inject("primary no longer routes "+world.Record, func() { s.W.PrimaryFront.SetServesRecord(false) })
			if err := s.ExpectFailover(ctx); err != nil {
				return err
			}
			want := "404 for Host " + world.Record
			for _, n := range s.W.Nodes {
				// The own URL still answers: the primary failed for clients only.
				if r := n.Vantage.Last(); r.PrimaryClient == nil || !strings.Contains(r.PrimaryClient.Reason, want) || r.Primary.OK {
					return fmt.Errorf("%s: primary %+v, client path %+v: want the primary failed with %q", n.ID, r.Primary, r.PrimaryClient, want)
				}
			}
			s.W.Fault(world.EventNote, "the primary's own URL still answers; clients at "+world.Record+" got "+want+": switched")
			return nil
		},
	},
}
