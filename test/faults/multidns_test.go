package faults

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
	"github.com/switchyard-dns/switchyard/infra/local/scenario"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// twoProviders is a world whose zone is served by the Route 53-compatible
// and the Cloudflare-compatible services at once, each with its own name
// server: the world's answer is the target only when both serve it.
func twoProviders(t *testing.T, rec *scenario.Recorder, logs *syncBuffer, cache time.Duration) *world.World {
	t.Helper()
	w, err := world.Start(context.Background(), world.Options{Interval: scenarioInterval, Events: rec.Record,
		DNS: world.DNSRoute53 + "," + world.DNSCloudflare, DNSCache: cache,
		Log: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	t.Cleanup(w.CF.ClearFaults) // free held requests before the world closes
	return w
}

// providerSees reads one provider of w alone, through its real client.
func providerSees(t *testing.T, w *world.World, name string) dns.Snapshot {
	t.Helper()
	cfg := w.OperatorConfig()
	cfg.DNSProvider = name
	p, err := assemble.Provider(cfg, assemble.Deps{AWSCredentials: w.AWSCredentials()})
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.Read(context.Background())
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return s
}

// One DNS provider fails every write during a primary outage: the switch
// happens on the other at once, the failing one is left exactly as it was
// (and said to disagree), and once it accepts writes again the vantage
// points bring it to the same generation, state and target.
func TestOneDNSProviderFailingEveryWrite(t *testing.T) {
	ctx := context.Background()
	rec := scenario.NewRecorder(nil)
	logs := &syncBuffer{}
	w := twoProviders(t, rec, logs, 0)
	st := &scenario.Stage{W: w, R: rec}
	if err := st.Steady(ctx); err != nil {
		t.Fatal(err)
	}
	inv := watch(w.CF)
	w.CF.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: http.StatusServiceUnavailable, Match: cloudflareapi.Batches})
	mark := rec.Mark()
	w.Primary.SetDown(true)
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := rec.WaitFor(wctx, mark, "a switch committed on the provider that accepts writes", has(scenario.Kind(vantage.EventSwitched, ""))); err != nil {
		t.Fatal(err)
	}
	if err := rec.WaitFor(wctx, mark, "dns_disagree naming cloudflare", has(func(e world.Event) bool {
		return e.Kind == vantage.EventDNSDisagree && strings.Contains(e.Reason, "cloudflare: behind at gen 0")
	})); err != nil {
		t.Fatal(err)
	}
	r53 := providerSees(t, w, world.DNSRoute53)
	if r53.Content != world.StandbyTarget || r53.State.Gen != 1 || r53.State.Active != state.Standby {
		t.Fatalf("route53 holds %s at gen %d, want the standby at gen 1", r53.Content, r53.State.Gen)
	}
	if got := checkRecords(t, w.CF.Records()); got.Side != state.Primary || got.Gen != 0 {
		t.Fatalf("cloudflare, failing every write, holds %s at gen %d; want it as it was", got.Side, got.Gen)
	}
	// The world polls the name servers for its answer, so the split shows
	// a poll after route53's API does: wait for it, do not sample once.
	if err := rec.WaitFor(wctx, mark, "the split answer", has(func(e world.Event) bool {
		return e.Kind == world.EventDNSChanged && strings.HasPrefix(e.Answer, "split:")
	})); err != nil {
		t.Errorf("the name servers answer %q, want the split: route53's the standby, cloudflare's the primary (%v)", w.CurrentAnswer(), err)
	}
	// Every vantage point's /status shows each provider's view.
	round := vantageStatus(t, w.Nodes[0])
	if round.Record == nil || len(round.Record.Providers) != 2 {
		t.Fatalf("/status record = %+v, want both providers' views", round.Record)
	}
	if cf := round.Record.Providers[1]; cf.Provider != "cloudflare" || cf.Agrees || cf.Gen != 0 || !strings.Contains(cf.Error, "behind") {
		t.Errorf("/status view of cloudflare = %+v", cf)
	}
	if n := scenario.Count(rec.Since(mark), scenario.Kind(vantage.EventSwitched, "")); n != 1 {
		t.Errorf("%d switches, want one (gen 1)", n)
	}

	// Heal only once the switch's own write to Cloudflare has given up (its
	// retries could otherwise land it) and a repair has failed too: what
	// converges Cloudflare after the heal is the repair.
	if err := rec.WaitFor(wctx, mark, "a round seeing cloudflare's write or repair failed", has(func(e world.Event) bool {
		r := e.Round
		return e.Kind == vantage.EventRound && r != nil && r.Record != nil && len(r.Record.Providers) == 2 &&
			strings.Contains(r.Record.Providers[1].Error, "the last attempt failed")
	})); err != nil {
		t.Fatal(err)
	}
	if got := checkRecords(t, w.CF.Records()); got.Gen != 0 {
		t.Fatalf("cloudflare at gen %d while it failed every write", got.Gen)
	}
	w.CF.ClearFaults()
	if err := st.ExpectAnswer(ctx, world.StandbyTarget, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	cf := providerSees(t, w, world.DNSCloudflare)
	r53 = providerSees(t, w, world.DNSRoute53)
	if cf.Content != r53.Content || cf.State.Format() != r53.State.Format() {
		t.Fatalf("after the repair cloudflare holds %s %q, route53 %s %q", cf.Content, cf.State.Format(), r53.Content, r53.State.Format())
	}
	if lost := recordsLost(inv, w.CF); lost > 0 {
		t.Errorf("%d records lost or inconsistent on cloudflare: %v", lost, inv.First())
	}
	scanForSecrets(t, "the logs", logs.String(), leaks(w))
}

// A writer killed between the two providers (its switch committed on
// Cloudflare, never reached Route 53): the other vantage points find the
// providers disagreeing and repair Route 53 to the exact state the dead
// writer committed, without a switch of their own.
func TestDNSWriterKilledBetweenProviders(t *testing.T) {
	ctx := context.Background()
	rec := scenario.NewRecorder(nil)
	logs := &syncBuffer{}
	// The cache at one interval: at steady state reads reach the providers
	// every round, as after SWITCHYARD_DNS_CACHE in production.
	w := twoProviders(t, rec, logs, scenarioInterval)
	st := &scenario.Stage{W: w, R: rec}
	if err := st.Steady(ctx); err != nil {
		t.Fatal(err)
	}
	// The dead writer's one completed write: the switch on Cloudflare
	// alone, through the same client a vantage point uses. Route 53 never
	// saw it.
	cfg := w.OperatorConfig()
	cfg.DNSProvider = world.DNSCloudflare
	p, err := assemble.Provider(cfg, assemble.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	before, err := p.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := change(before, state.Standby, "aws:killed-writer", time.Now())
	c.From = before.Content
	mark := rec.Mark()
	if _, err := p.Write(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := st.ExpectAnswer(ctx, world.StandbyTarget, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	r53 := providerSees(t, w, world.DNSRoute53)
	if !r53.Holds(c) || r53.State.By != "aws:killed-writer" {
		t.Fatalf("route53 holds %s %q, want the dead writer's %s %q", r53.Content, r53.State.Format(), c.Target, c.State.Format())
	}
	evs := rec.Since(mark)
	if n := scenario.Count(evs, scenario.Kind(vantage.EventSwitched, "")); n != 0 {
		t.Errorf("%d switches: a repair carries the newest generation, it is no switch of its own", n)
	}
	if got := checkRecords(t, w.CF.Records()); got.Gen != 1 {
		t.Errorf("cloudflare at gen %d, want 1", got.Gen)
	}
	scanForSecrets(t, "the logs", logs.String(), leaks(w))
}

// vantageStatus is n's GET /status.
func vantageStatus(t *testing.T, n *world.Node) vantage.Round {
	t.Helper()
	resp, err := http.Get(n.URL + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r vantage.Round
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

// has waits for one event matching match.
func has(match func(world.Event) bool) func([]world.Event) bool {
	return func(evs []world.Event) bool { return scenario.Count(evs, match) > 0 }
}
