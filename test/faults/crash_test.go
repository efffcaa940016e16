package faults

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// TestCrashBetweenWriteAndReadBack kills a decider the instant its batch
// commits, before it reads back (its context is cancelled from the API's
// commit hook). On restart the state must be whole, the restarted decider
// must finish (its change is found applied), and a decider still holding
// the old generation must be refused.
func TestCrashBetweenWriteAndReadBack(t *testing.T) {
	n := trials(t, 20)
	var switches, lost int
	for i := range n {
		z := newZone(t)
		ctx, kill := context.WithCancel(context.Background())
		z.api.OnChange(func(rs []cloudflareapi.Record) {
			for _, r := range rs {
				if r.Name == world.Record && r.Content == world.StandbyTarget {
					kill()
				}
			}
		})
		snap := z.readNow(t)
		c := change(snap, state.Standby, "aws:us-east-1", time.Now())
		_, err := z.provider(t).Write(ctx, c)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("trial %d: the killed write returned %v, want context.Canceled", i, err)
		}
		if got := z.check(t); got.Side != state.Standby || got.Gen != 1 {
			t.Fatalf("trial %d: after the crash: %s at gen %d, want the committed batch whole (standby, gen 1)", i, got.Side, got.Gen)
		}
		// Restart: the same decision, made again, finishes without writing.
		before := z.batches.Load()
		after, err := z.provider(t).Write(context.Background(), c)
		if err != nil || after.State.Gen != 1 || z.batches.Load() != before {
			t.Fatalf("trial %d: restarted write: gen %d, %v, %d new batches; want it found applied", i, after.State.Gen, err, z.batches.Load()-before)
		}
		// A decider that read before the crash is refused.
		if _, err := z.provider(t).Write(context.Background(), change(snap, state.Standby, "gcp:europe-west1", time.Now())); !errors.Is(err, dns.ErrStale) {
			t.Fatalf("trial %d: a decider holding gen 0: %v, want ErrStale", i, err)
		}
		lost += z.lost()
		got := z.check(t)
		switches += int(got.Gen) // generations committed, counted from the zone
		if got.Gen != 1 || got.By != "aws:us-east-1" {
			t.Fatalf("trial %d: %+v after restart", i, got)
		}
		z.srv.Close()
	}
	if lost > 0 {
		t.Errorf("%d records lost or inconsistent", lost)
	}
	report(t, Row{Fault: "Decider killed between write and read-back", Injected: "the decider's context is cancelled from the API's commit hook, then a new decider starts",
		Trials: n, Switches: switches, RecordsLost: lost,
		Held: "state whole after every crash (standby, gen 1); the restarted decider finds its change applied with no new batch; a decider holding gen 0 gets ErrStale"})
}
