package local

import (
	"context"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/manual"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/scenario"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// TestHoldExpiresOnItsOwn: `failover hold --for` pins the record on the
// primary; the primary then fails for everyone. Nothing moves while the
// hold lasts, and once it runs out the vantage points fail over by
// themselves, with no operator.
func TestHoldExpiresOnItsOwn(t *testing.T) {
	if testing.Short() {
		t.Skip("a local-world run; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w, rec, st := steadyWorld(ctx, t, world.Options{})
	m, err := assemble.Manual(w.Nodes[0].Config, assemble.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	const hold = 5 * time.Second
	res, err := m.Hold(ctx, hold, manual.MoveOptions{Reason: "storage maintenance", By: "test"})
	if err != nil {
		t.Fatal(err)
	}
	until := res.After.State.Until
	if res.After.State.Active != state.Primary || !res.After.State.Pinned || until.IsZero() {
		t.Fatalf("after hold: %+v", res.After.State)
	}
	if got := stateOf(t, w); !got.Until.Equal(until) || !got.Pinned {
		t.Fatalf("state TXT %+v, want pinned until %s", got, until)
	}
	mark := rec.Mark()
	st.Inject("primary origin returns 503 to everyone", func() { w.Primary.SetDown(true) })

	if err := rec.WaitFor(ctx, mark, "a switch to the standby", func(evs []world.Event) bool {
		return scenario.Count(evs, scenario.SwitchTo(state.Standby)) > 0
	}); err != nil {
		t.Fatal(err)
	}
	var switchedAt time.Time
	held := 0
	for _, e := range rec.Since(mark) {
		if e.Kind == vantage.EventSwitched && switchedAt.IsZero() {
			switchedAt = e.At
		}
		if e.Kind == vantage.EventRound && e.Round.Decision.Action == "hold" && e.At.Before(until) && !e.Round.Primary.OK {
			held++
		}
	}
	if switchedAt.Before(until) {
		t.Errorf("switched at %s, before the hold's end %s", switchedAt.Format(time.RFC3339Nano), until.Format(time.RFC3339))
	}
	if held == 0 {
		t.Error("no round held the record while the primary failed during the hold")
	}
	after := stateOf(t, w)
	if after.Active != state.Standby || after.Pinned || !after.Until.IsZero() {
		t.Errorf("state after the hold: %+v, want on the standby, unpinned, no until", after)
	}
	t.Logf("hold until %s; switched %s after it", until.Format(time.RFC3339), switchedAt.Sub(until).Round(time.Millisecond))
}
