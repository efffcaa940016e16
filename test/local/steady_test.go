package local

import (
	"context"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/infra/local/scenario"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// steadyWorld starts a local world with o (at a 500 ms interval unless o
// sets one), records its events, closes it when the test ends, and waits
// until every vantage point sees both origins healthy.
func steadyWorld(ctx context.Context, t *testing.T, o world.Options) (*world.World, *scenario.Recorder, *scenario.Stage) {
	t.Helper()
	rec := scenario.NewRecorder(nil)
	if o.Interval == 0 {
		o.Interval = 500 * time.Millisecond
	}
	o.Events = rec.Record
	w, err := world.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	st := &scenario.Stage{W: w, R: rec}
	if err := st.Steady(ctx); err != nil {
		t.Fatal(err)
	}
	return w, rec, st
}
