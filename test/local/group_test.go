package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/manual"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
	"github.com/switchyard-dns/switchyard/infra/local/scenario"
	"github.com/switchyard-dns/switchyard/infra/local/world"
	"github.com/switchyard-dns/switchyard/test/campaign/invariant"
)

// TestGroupOutageKeepsTheInvariants plays primary-outage-group on the
// Cloudflare-compatible service with the campaign's invariant checker fed
// every committed snapshot of the zone: the group's records must be on the
// state's side in each one (one atomic write), besides every invariant of
// a single record.
func TestGroupOutageKeepsTheInvariants(t *testing.T) {
	if testing.Short() {
		t.Skip("a scenario takes seconds; skipped with -short")
	}
	sc, err := scenario.Find("primary-outage-group")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rec := scenario.NewRecorder(func(world.Event) {})
	o := world.Options{Interval: 500 * time.Millisecond, Events: rec.Record}
	sc.Configure(&o)
	w, err := world.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	z := invariant.Zone{Record: world.Record, PrimaryTarget: world.PrimaryTarget, StandbyTarget: world.StandbyTarget}
	for _, m := range world.GroupRecords {
		z.Group = append(z.Group, invariant.GroupRecord{Name: m.Name, Type: m.Type, PrimaryTarget: m.Primary, StandbyTarget: m.Standby})
	}
	chk := invariant.New(z)
	chk.Check(w.CF.Records())
	w.CF.OnChange(func(rs []cloudflareapi.Record) { chk.Check(rs) })

	st := &scenario.Stage{W: w, R: rec}
	if err := st.Steady(ctx); err != nil {
		t.Fatal(err)
	}
	if err := sc.Play(ctx, st); err != nil {
		t.Fatal(err)
	}
	chk.Final(w.CF.Records())
	if chk.Total() > 0 || chk.Checks() < 2 {
		t.Fatalf("%d snapshots checked, violations %v: %v", chk.Checks(), chk.Counts(), chk.First())
	}

	// `failover status` and the status page list each record of the group.
	m, err := assemble.Manual(w.OperatorConfig(), assemble.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(w.Nodes[0].URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range world.GroupRecords {
		line := fmt.Sprintf("%s %s → %s (standby)", g.Name, g.Type, g.Standby)
		if !strings.Contains(text.String(), line) {
			t.Errorf("failover status does not say %q:\n%s", line, text.String())
		}
		if !strings.Contains(string(page), fmt.Sprintf("%s %s → %s", g.Name, g.Type, g.Standby)) {
			t.Errorf("the status page does not list %s %s on %s", g.Name, g.Type, g.Standby)
		}
	}

	// A person re-points img. by hand (through the API, as the dashboard
	// would): status names it, an unforced move is refused, and a forced
	// move repairs the whole group, as for a hand-changed record.
	img := world.GroupRecords[0]
	person := w.OperatorConfig()
	person.Record, person.RecordType, person.Group = img.Name, img.Type, nil
	pp, err := assemble.Provider(person, assemble.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	const hand = "elsewhere.example.test"
	if _, err := pp.Write(ctx, dns.Change{Target: hand, State: state.State{Active: state.Primary, Gen: 1, By: "manual:person"}}); err != nil {
		t.Fatalf("changing %s by hand: %v", img.Name, err)
	}
	rep, err = m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Problem, img.String()) || !strings.Contains(rep.Problem, hand) {
		t.Fatalf("status problem %q; want it to name %s and %s", rep.Problem, img, hand)
	}
	var refused *manual.RefusedError
	if _, err := m.Move(ctx, state.Primary, manual.MoveOptions{By: "ops"}); !errors.As(err, &refused) {
		t.Fatalf("an unforced move over a hand change: %v; want it refused", err)
	}
	if _, err := m.Move(ctx, state.Primary, manual.MoveOptions{By: "ops", Force: true}); err != nil {
		t.Fatalf("forced move: %v", err)
	}
	if wrong, err := w.GroupAnswers(ctx, state.Primary); err != nil || len(wrong) > 0 {
		t.Fatalf("after the forced move: %v %v; want the whole group on the primary", wrong, err)
	}
	if rep, err = m.Status(ctx); err != nil || rep.Problem != "" {
		t.Fatalf("status after the repair: problem %q, %v", rep.Problem, err)
	}
}
