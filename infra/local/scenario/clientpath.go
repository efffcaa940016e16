package scenario

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"net/http"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/drill"

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
			"the drill fails saying so, and when the primary then fails the automatic failover is refused with that reason",
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
			// The drill says so before it writes.
			c := s.W.OperatorConfig()
			c.Secret = config.Secret(s.W.Secret())
			rep, err := drill.Run(ctx, drill.Options{Config: c, By: "scenario", Deps: assemble.Deps{PeerHTTP: &http.Client{}}})
			if err != nil {
				return fmt.Errorf("drill: %w", err)
			}
			if step, ok := rep.Step("standby serves clients at the record's name"); rep.Passed || !ok || step.Status != drill.Fail || !strings.Contains(step.Reason, want) {
				return fmt.Errorf("drill passed=%v, step %+v: want it failing with %q", rep.Passed, step, want)
			}
			s.W.Fault(world.EventNote, "drill failed: standby serves clients at the record's name: "+want)
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
			mark := s.R.Mark()
			s.Inject("primary no longer routes "+world.Record, func() { s.W.PrimaryFront.SetServesRecord(false) })
			if err := s.ExpectFailover(ctx); err != nil {
				return err
			}
			want := "404 for Host " + world.Record
			// Every vantage point saw the primary fail for clients only: its
			// own URL answered 200, the record's name 404.
			for _, id := range s.alive() {
				if !slices.ContainsFunc(s.R.Since(mark), func(e world.Event) bool {
					r := e.Round
					return e.Kind == vantage.EventRound && e.Vantage == id && r != nil && !r.Primary.OK && r.Primary.Status == 200 &&
						r.PrimaryClient != nil && strings.Contains(r.PrimaryClient.Reason, want)
				}) {
					return fmt.Errorf("%s: no round with the primary's own URL answering 200 and its client path failing with %q", id, want)
				}
			}
			s.W.Fault(world.EventNote, "the primary's own URL still answers; clients at "+world.Record+" got "+want+": switched")
			return nil
		},
	},
}
