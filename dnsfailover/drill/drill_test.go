package drill_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/drill"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// localWorld starts the in-process local world and returns the operator's
// configuration for it, with the peer secret a drill needs to ask the
// vantage points.
func localWorld(t *testing.T, o world.Options) (*world.World, config.Config) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w, err := world.Start(ctx, o)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); w.Close() })
	return w, operatorWithSecret(w)
}

// operatorWithSecret is the operator's configuration of w plus the peer
// secret, which the drill's quorum round signs with.
func operatorWithSecret(w *world.World) config.Config {
	c := w.OperatorConfig()
	c.Secret = config.Secret(w.Secret())
	return c
}

func runDrill(t *testing.T, c config.Config, dryRun bool) drill.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := drill.Run(ctx, drill.Options{Config: c, DryRun: dryRun, By: "test", DNSWait: 10 * time.Second, Poll: 20 * time.Millisecond,
		Deps: assemble.Deps{PeerHTTP: &http.Client{}, Resolver: resolverAt(c.DrillResolver)}})
	if err != nil {
		t.Fatalf("drill.Run: %v", err)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	t.Logf("report:\n%s", text.String())
	return rep
}

// production is the real record and its state TXT as the DNS API holds
// them; a drill must leave both exactly as they were.
func production(w *world.World) []cloudflareapi.Record {
	var out []cloudflareapi.Record
	for _, r := range w.CF.Records() {
		if r.Name == world.Record || r.Name == state.RecordName(world.Record) {
			out = append(out, r)
		}
	}
	return out
}

func assertProductionUntouched(t *testing.T, w *world.World, before []cloudflareapi.Record) {
	t.Helper()
	after := production(w)
	if len(after) != len(before) || len(before) != 2 {
		t.Fatalf("production records before %+v, after %+v", before, after)
	}
	for i := range before {
		if before[i].Content != after[i].Content || !before[i].ModifiedOn.Equal(after[i].ModifiedOn) {
			t.Errorf("drill changed %s %s: %q → %q", before[i].Type, before[i].Name, before[i].Content, after[i].Content)
		}
	}
	if got := w.CurrentAnswer(); got != world.PrimaryTarget {
		t.Errorf("DNS answers %s for the real record, want %s", got, world.PrimaryTarget)
	}
}

// drillRecord reads the drill record through the real provider.
func drillRecord(t *testing.T, c config.Config) (string, state.State) {
	t.Helper()
	c.Record = world.DrillRecord
	p, err := assemble.Provider(c, assemble.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := p.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return snap.Content, snap.State
}

func wantStep(t *testing.T, rep drill.Report, name string, status drill.Status, reason string) {
	t.Helper()
	s, ok := rep.Step(name)
	if !ok {
		t.Fatalf("no step %q in %+v", name, rep.Steps)
	}
	if s.Status != status || !strings.Contains(s.Reason, reason) {
		t.Errorf("step %s = %s %q, want %s with reason containing %q", name, s.Status, s.Reason, status, reason)
	}
}

func TestDrillPassesOnAHealthyWorld(t *testing.T) {
	w, c := localWorld(t, world.Options{ParityKeys: []string{"img/logo.png", "index.html"}})
	before := production(w)

	rep := runDrill(t, c, false)
	if !rep.Passed {
		t.Fatalf("drill failed: %s", rep.Reason)
	}
	for _, name := range []string{"probe primary", "probe standby", "quorum round", "topology", "read drill record",
		"write standby", "read back standby", "DNS answers standby", "write primary", "read back primary", "DNS answers primary", "parity"} {
		wantStep(t, rep, name, drill.Pass, "")
	}
	if len(rep.Peers) != 5 || rep.Parity == nil || len(rep.Parity.Objects) != 3 {
		t.Errorf("peers %+v parity %+v, want 5 answers and 3 objects compared", rep.Peers, rep.Parity)
	}
	target, st := drillRecord(t, c)
	if target != world.PrimaryTarget || st.Active != state.Primary || st.Gen != 2 || st.By != "drill:test" {
		t.Errorf("drill record after the drill: %s, state %+v; want back on the primary at gen 2 by drill:test", target, st)
	}
	assertProductionUntouched(t, w, before)

	// The timeline is written and names every step.
	path := filepath.Join(t.TempDir(), "drill.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Timeline().WriteHTML(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	page, _ := os.ReadFile(path)
	for _, want := range []string{"drill on " + world.DrillRecord, "DNS answers standby", "gcp:europe-west1", "PASS"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("timeline lacks %q", want)
		}
	}
}

func TestDrillFailsWhenTheStandbyLacksAParityKey(t *testing.T) {
	w, c := localWorld(t, world.Options{ParityKeys: []string{"img/logo.png", "index.html"}})
	before := production(w)
	if err := w.Standby.Delete(context.Background(), "index.html"); err != nil {
		t.Fatal(err)
	}
	rep := runDrill(t, c, false)
	if rep.Passed {
		t.Fatal("drill passed with a key missing on the standby")
	}
	wantStep(t, rep, "parity", drill.Fail, "index.html missing")
	wantStep(t, rep, "write standby", drill.Pass, "")
	if !strings.Contains(rep.Reason, "parity: standby fails parity: index.html missing") {
		t.Errorf("reason %q does not say which key", rep.Reason)
	}
	assertProductionUntouched(t, w, before)
}

// A topology that cannot survive losing a provider fails the drill, with
// the topology's warnings as the reason; everything else still runs.
func TestDrillFailsOnAWeakTopology(t *testing.T) {
	w, c := localWorld(t, world.Options{Vantages: []string{"aws:us-east-1", "aws:us-west-2", "aws:eu-west-1", "gcp:europe-west1"}})
	before := production(w)
	rep := runDrill(t, c, false)
	if rep.Passed {
		t.Fatal("drill passed on a topology that survives the loss of neither provider")
	}
	wantStep(t, rep, "topology", drill.Fail, "losing gcp whole (gcp:europe-west1) blocks every automatic failover")
	wantStep(t, rep, "write standby", drill.Pass, "")
	if rep.Topology == nil || rep.Topology.OK() || len(rep.Topology.Warnings) != 2 {
		t.Errorf("report topology %+v, want the failing verdict with two warnings", rep.Topology)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "WARNING: losing aws whole") {
		t.Errorf("report text lacks the aws warning:\n%s", text.String())
	}
	assertProductionUntouched(t, w, before)
}

// TestDryRunPlanRefusesForAStandbyDefect: the plan asks failover.Decide, so
// a standby missing a parity key while the primary is healthy is a refusal
// that says why, in the vantage points' own words.
func TestDryRunPlanRefusesForAStandbyDefect(t *testing.T) {
	w, c := localWorld(t, world.Options{ParityKeys: []string{"img/logo.png"}})
	if err := w.Standby.Delete(context.Background(), "img/logo.png"); err != nil {
		t.Fatal(err)
	}
	rep := runDrill(t, c, true)
	wantStep(t, rep, "plan", drill.Fail, "a failover now would be refused: standby defect found while the primary passed its own check")
	wantStep(t, rep, "plan", drill.Fail, "img/logo.png missing")
}

// TestDrillNeverBlamesTheStandbyForAWrongPrimary: the primary answers 200
// with another body. Its probe step fails; parity is not compared, and the
// plan is never refused for parity.
func TestDrillNeverBlamesTheStandbyForAWrongPrimary(t *testing.T) {
	w, c := localWorld(t, world.Options{})
	for _, n := range w.Nodes { // no vantage point may switch the real record meanwhile
		if err := w.Kill(n.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Primary.Put(context.Background(), world.CanaryKey, []byte("<html>maintenance</html>\n")); err != nil {
		t.Fatal(err)
	}
	rep := runDrill(t, c, true)
	wantStep(t, rep, "probe primary", drill.Fail, "")
	wantStep(t, rep, "parity", drill.Skip, "not compared: the primary fails its own check")
	if s, _ := rep.Step("plan"); strings.Contains(s.Reason, "parity") || strings.Contains(s.Reason, "standby defect") {
		t.Errorf("plan blames the standby: %s", s.Reason)
	}
}

func TestDrillFailsWhenQuorumCannotBeReached(t *testing.T) {
	w, c := localWorld(t, world.Options{})
	before := production(w)
	for _, id := range []string{"aws:eu-west-1", "gcp:europe-west1", "azure:westeurope"} {
		if err := w.Kill(id); err != nil {
			t.Fatal(err)
		}
	}
	rep := runDrill(t, c, false)
	if rep.Passed {
		t.Fatal("drill passed with three of five vantage points dead")
	}
	wantStep(t, rep, "quorum round", drill.Fail, "quorum cannot be reached")
	s, _ := rep.Step("quorum round")
	for _, want := range []string{"2/5 vantage points answered", "aws:eu-west-1", "gcp:europe-west1", "azure:westeurope"} {
		if !strings.Contains(s.Detail, want) {
			t.Errorf("quorum detail %q lacks %q", s.Detail, want)
		}
	}
	assertProductionUntouched(t, w, before)
}

func TestDrillFailsWhenTheDNSAPIRefusesTheWrite(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusBadRequest} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			w, c := localWorld(t, world.Options{})
			before := production(w)
			w.CF.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: status, Match: cloudflareapi.Batches, Times: 1})
			rep := runDrill(t, c, false)
			if rep.Passed {
				t.Fatal("drill passed although the DNS API refused the write")
			}
			wantStep(t, rep, "write standby", drill.Fail, "the DNS API refused or failed the write")
			wantStep(t, rep, "DNS answers standby", drill.Skip, "the write failed")
			wantStep(t, rep, "write primary", drill.Skip, "did not complete")
			if target, st := drillRecord(t, c); target != world.PrimaryTarget || st.Gen != 0 {
				t.Errorf("drill record after a refused write: %s gen %d, want unchanged", target, st.Gen)
			}
			assertProductionUntouched(t, w, before)
			if strings.Contains(rep.Reason, w.Token()) {
				t.Error("the report holds the API token")
			}
		})
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	w, c := localWorld(t, world.Options{})
	before := production(w)
	writes := func() int {
		n := 0
		for _, call := range w.CF.Calls() {
			if call.Method != http.MethodGet {
				n++
			}
		}
		return n
	}
	n := writes()
	rep := runDrill(t, c, true)
	if !rep.Passed || rep.Record != world.Record {
		t.Fatalf("dry run: passed %v on %s: %s", rep.Passed, rep.Record, rep.Reason)
	}
	wantStep(t, rep, "plan", drill.Pass, "")
	if !strings.Contains(rep.Plan, "write "+world.Record+" CNAME → "+world.StandbyTarget) {
		t.Errorf("plan %q does not say what would be written", rep.Plan)
	}
	if _, ok := rep.Step("write standby"); ok {
		t.Error("dry run has a write step")
	}
	if got := writes(); got != n {
		t.Errorf("dry run made %d write requests", got-n)
	}
	assertProductionUntouched(t, w, before)
}

func TestDrillNeedsADrillRecord(t *testing.T) {
	_, c := localWorld(t, world.Options{Vantages: []string{"aws:us-east-1"}})
	c.DrillRecord = ""
	_, err := drill.Run(context.Background(), drill.Options{Config: c})
	var ce *drill.ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "SWITCHYARD_DRILL_RECORD is not set") {
		t.Fatalf("err = %v, want a ConfigError naming SWITCHYARD_DRILL_RECORD", err)
	}
}

// TestDrillMovesBackWhenTheAnswerNeverComes points the drill at a resolver
// that does not answer: the DNS step fails within DNSWait, and the drill
// record is still moved back to the primary.
func TestDrillMovesBackWhenTheAnswerNeverComes(t *testing.T) {
	w, c := localWorld(t, world.Options{})
	before := production(w)
	c.DrillResolver = "127.0.0.1:9" // discard: nothing answers
	rep, err := drill.Run(context.Background(), drill.Options{Config: c, By: "test", DNSWait: 300 * time.Millisecond, Poll: 50 * time.Millisecond,
		Deps: assemble.Deps{PeerHTTP: &http.Client{}, Resolver: resolverAt(c.DrillResolver)}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passed {
		t.Fatal("drill passed without an authoritative answer")
	}
	wantStep(t, rep, "DNS answers standby", drill.Fail, "want "+world.StandbyTarget)
	wantStep(t, rep, "write primary", drill.Pass, "")
	if target, st := drillRecord(t, c); target != world.PrimaryTarget || st.Gen != 2 {
		t.Errorf("drill record after the drill: %s gen %d, want back on the primary at gen 2", target, st.Gen)
	}
	assertProductionUntouched(t, w, before)
}

// resolverAt resolves through the world's own DNS server (its zone holds
// the origins' targets), as the drill's client-path steps need.
func resolverAt(addr string) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", addr)
	}}
}

// A standby whose certificate lacks the record's name (the custom domain
// never attached) holds every object and answers its own URL: the drill
// fails before it writes, saying so; and once the drill record points
// there, clients asking for the drill record's name are refused too.
func TestDrillFailsWhenTheStandbyDoesNotServeTheRecordsName(t *testing.T) {
	w, c := localWorld(t, world.Options{})
	if err := w.StandbyFront.SetCertNames(world.StandbyTarget); err != nil {
		t.Fatal(err)
	}
	rep := runDrill(t, c, false)
	if rep.Passed {
		t.Fatal("drill passed with a standby that does not serve the record's name")
	}
	want := "certificate valid for " + world.StandbyTarget + ", not " + world.Record
	wantStep(t, rep, "standby serves clients at the record's name", drill.Fail, want)
	wantStep(t, rep, "clients get the standby", drill.Fail, "certificate valid for "+world.StandbyTarget+", not "+world.DrillRecord)
	wantStep(t, rep, "probe standby", drill.Pass, "")
	if !strings.Contains(rep.Reason, want) {
		t.Errorf("reason %q does not name the certificate", rep.Reason)
	}
}
