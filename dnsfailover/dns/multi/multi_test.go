package multi_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/cloudflare"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/multi"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
)

const (
	record  = "assets.example.com"
	primary = "192.0.2.10"
	standby = "198.51.100.20"
	token   = "cf-test-token-MUST-NOT-LEAK-5b1d"
)

// zone is one Cloudflare-compatible service on a real port, driven by the
// unmodified cloudflare-go client: each stands for an independent DNS
// provider serving the same zone.
type zone struct {
	name string
	api  *cloudflareapi.Server
	p    *cloudflare.Provider
}

func newZone(t testing.TB, name string) *zone { t.Helper(); return newZoneAt(t, name, primary) }

// newZoneAt starts a zone whose record points at content.
func newZoneAt(t testing.TB, name, content string) *zone {
	t.Helper()
	api := cloudflareapi.New(cloudflareapi.Options{Token: token, ZoneName: "example.com"})
	api.Add(cloudflareapi.Record{Name: record, Type: "A", Content: content, TTL: 300})
	api.Add(cloudflareapi.Record{Name: "www.example.com", Type: "A", Content: "192.0.2.99", TTL: 300})
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		for _, c := range api.Calls() {
			if c.Method == http.MethodDelete {
				t.Errorf("%s: switchyard must never delete a record by itself: %+v", name, c)
			}
		}
	})
	p, err := cloudflare.New(cloudflare.Options{
		APIURL: srv.URL + "/client/v4", ZoneID: api.ZoneID(), Token: token,
		Record: record, Type: "A", TTL: 60, MaxRetries: 1, Backoff: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &zone{name: name, api: api, p: p}
}

// records is the zone's records, without ids or times, to compare before
// and after a failed write. The generation claim is left out: the first
// write on a Cloudflare zone creates it (of the current generation) before
// the batch, which is what failed.
func (z *zone) records() string {
	var b strings.Builder
	for _, r := range z.api.Records() {
		if strings.HasPrefix(r.Name, "_switchyard-claim.") {
			continue
		}
		b.WriteString(r.Name + " " + r.Type + " " + r.Content + "\n")
	}
	return b.String()
}

func newMulti(t testing.TB, zs ...*zone) *multi.Multi {
	t.Helper()
	var named []multi.Named
	for _, z := range zs {
		named = append(named, multi.Named{Name: z.name, Provider: z.p})
	}
	m, err := multi.New(multi.Options{Providers: named, PrimaryTarget: primary, StandbyTarget: standby,
		Timeout: 10 * time.Second, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Wait)
	return m
}

func switchTo(gen uint64, by string) dns.Change {
	target, side := standby, state.Standby
	if gen%2 == 0 {
		target, side = primary, state.Primary
	}
	return dns.Change{Target: target, From: map[string]string{standby: primary, primary: standby}[target],
		State: state.State{Active: side, Gen: gen, By: by, Since: time.Unix(1_700_000_000+int64(gen), 0).UTC(), Reason: "test"}}
}

// holds fails unless z holds exactly the change c.
func holds(t *testing.T, z *zone, c dns.Change) {
	t.Helper()
	s, err := z.p.Read(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", z.name, err)
	}
	if !s.Holds(c) {
		t.Fatalf("%s holds %s at gen %d by %q, want %s at gen %d by %q", z.name, s.Content, s.State.Gen, s.State.By, c.Target, c.State.Gen, c.State.By)
	}
}

func TestWriteReachesEveryProvider(t *testing.T) {
	a, b := newZone(t, "cloudflare"), newZone(t, "route53")
	m := newMulti(t, a, b)
	ctx := context.Background()
	c := switchTo(1, "v1")
	if _, err := m.Write(ctx, c); err != nil {
		t.Fatal(err)
	}
	m.Wait()
	holds(t, a, c)
	holds(t, b, c)
	s, err := m.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Holds(c) || len(s.Providers) != 2 || len(s.Disagreeing()) != 0 {
		t.Fatalf("read %+v, want gen 1 agreed by both", s)
	}
	// The next switch: both move on from gen 1 again.
	c2 := switchTo(2, "v2")
	if _, err := m.Write(ctx, c2); err != nil {
		t.Fatal(err)
	}
	m.Wait()
	holds(t, a, c2)
	holds(t, b, c2)
}

// One provider fails every write during an outage: the switch happens on the
// other, the failing one is left as it was, and it converges once it
// recovers.
func TestOneProviderFailingEveryWrite(t *testing.T) {
	a, b := newZone(t, "cloudflare"), newZone(t, "route53")
	m := newMulti(t, a, b)
	ctx := context.Background()
	before := b.records()
	b.api.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: http.StatusServiceUnavailable, Match: cloudflareapi.Batches})

	c := switchTo(1, "v1")
	got, err := m.Write(ctx, c)
	if err != nil {
		t.Fatalf("the switch must happen on the provider that works: %v", err)
	}
	if !got.Holds(c) {
		t.Fatalf("write returned %+v", got)
	}
	m.Wait()
	holds(t, a, c)
	if after := b.records(); after != before {
		t.Fatalf("a failed write changed the provider:\nbefore\n%safter\n%s", before, after)
	}

	// Rounds during the outage: the read reports the newest, names the
	// provider behind, and its repair fails without changing it.
	for range 3 {
		s, err := m.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !s.Holds(c) {
			t.Fatalf("read %s at gen %d, want the newest (gen 1)", s.Content, s.State.Gen)
		}
		if d := s.Disagreeing(); len(d) != 1 || d[0] != "route53" {
			t.Fatalf("disagreeing = %v, want [route53]; views %+v", d, s.Providers)
		}
		m.Wait()
	}
	if after := b.records(); after != before {
		t.Fatalf("a failed repair changed the provider:\nbefore\n%safter\n%s", before, after)
	}
	s, _ := m.Read(ctx)
	m.Wait()
	if v := s.Providers[1]; v.Gen != 0 || !strings.Contains(v.Error, "behind at gen 0") || !strings.Contains(v.Error, "last attempt failed") {
		t.Fatalf("view of the failing provider = %+v", v)
	}

	b.api.ClearFaults()
	if _, err := m.Read(ctx); err != nil {
		t.Fatal(err)
	}
	m.Wait()
	holds(t, b, c) // the same generation, state and target as the other
	s, err = m.Read(ctx)
	if err != nil || len(s.Disagreeing()) != 0 {
		t.Fatalf("after the repair: %v, views %+v", err, s.Providers)
	}
}

// A writer that died between the two providers left one behind; another
// vantage point's read repairs it to exactly the newest state.
func TestWriterKilledBetweenProviders(t *testing.T) {
	a, b := newZone(t, "cloudflare"), newZone(t, "route53")
	ctx := context.Background()
	c := switchTo(1, "dead-writer")
	if _, err := a.p.Write(ctx, c); err != nil { // the writer died before b
		t.Fatal(err)
	}
	// Two vantage points find the disagreement at once and both repair:
	// one commits, the other finds it done (ErrStale), and b converges.
	m1, m2 := newMulti(t, a, b), newMulti(t, a, b)
	for _, m := range []*multi.Multi{m1, m2} {
		s, err := m.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !s.Holds(c) {
			t.Fatalf("read %s at gen %d, want the newest any provider holds", s.Content, s.State.Gen)
		}
	}
	m1.Wait()
	m2.Wait()
	holds(t, b, c)
	holds(t, a, c)
}

// A provider that missed a write is caught up by the next switch: the write
// goes from the generation it holds.
func TestNextSwitchCatchesUpAProviderBehind(t *testing.T) {
	a, b := newZone(t, "cloudflare"), newZone(t, "route53")
	ctx := context.Background()
	if _, err := a.p.Write(ctx, switchTo(1, "v1")); err != nil {
		t.Fatal(err)
	}
	m := newMulti(t, a, b)
	c := switchTo(2, "v2")
	if _, err := m.Write(ctx, c); err != nil {
		t.Fatal(err)
	}
	m.Wait()
	holds(t, a, c)
	holds(t, b, c)
}

func TestStaleWriteFailsEverywhere(t *testing.T) {
	a, b := newZone(t, "cloudflare"), newZone(t, "route53")
	m := newMulti(t, a, b)
	ctx := context.Background()
	if _, err := m.Write(ctx, switchTo(1, "v1")); err != nil {
		t.Fatal(err)
	}
	m.Wait()
	beforeA, beforeB := a.records(), b.records()
	_, err := m.Write(ctx, switchTo(1, "v2")) // prepared from gen 0 too
	if !errors.Is(err, dns.ErrStale) {
		t.Fatalf("err = %v, want ErrStale", err)
	}
	m.Wait()
	if a.records() != beforeA || b.records() != beforeB {
		t.Fatal("a stale write changed a provider")
	}
}

func TestReadWithAProviderDown(t *testing.T) {
	a, b := newZone(t, "cloudflare"), newZone(t, "route53")
	m := newMulti(t, a, b)
	ctx := context.Background()
	a.api.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: http.StatusInternalServerError})
	s, err := m.Read(ctx)
	if err != nil {
		t.Fatalf("one provider answering is enough: %v", err)
	}
	if s.Content != primary || s.Providers[0].Error == "" || !s.Providers[1].Agrees {
		t.Fatalf("read %+v", s)
	}
	b.api.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: http.StatusInternalServerError})
	_, err = m.Read(ctx)
	if err == nil || !strings.Contains(err.Error(), "no DNS provider could be read") || strings.Contains(err.Error(), token) {
		t.Fatalf("err = %v, want every provider's error (and no token)", err)
	}
}

// A provider behind whose record a person re-pointed is reported, not
// repaired: automation never overwrites a person's change.
func TestHandChangedProviderBehindIsLeftAlone(t *testing.T) {
	a, b := newZone(t, "cloudflare"), newZoneAt(t, "route53", "203.0.113.7")
	ctx := context.Background()
	c := switchTo(1, "v1")
	if _, err := a.p.Write(ctx, c); err != nil {
		t.Fatal(err)
	}
	before := b.records()
	m := newMulti(t, a, b)
	s, err := m.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m.Wait()
	if b.records() != before {
		t.Fatalf("a person's change was overwritten:\n%s", b.records())
	}
	if v := s.Providers[1]; v.Agrees || !strings.Contains(v.Error, "not repaired") {
		t.Fatalf("view = %+v", v)
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	a := newZone(t, "cloudflare")
	for _, o := range []multi.Options{
		{Providers: []multi.Named{{Name: "cloudflare", Provider: a.p}}},
		{Providers: []multi.Named{{Name: "cloudflare", Provider: a.p}, {Name: "cloudflare", Provider: a.p}}},
	} {
		if _, err := multi.New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}

// BenchmarkSwitchTwoProviders times one switch on two Cloudflare-compatible
// services at once: the write returns when the first commits (each is a
// read, the compare-and-swap and a read-back), then Wait for the other:
//
//	go test -run '^$' -bench SwitchTwoProviders -benchtime 20x ./dnsfailover/dns/multi
func BenchmarkSwitchTwoProviders(b *testing.B) {
	a, z := newZone(b, "cloudflare"), newZone(b, "route53")
	m := newMulti(b, a, z)
	ctx := context.Background()
	var gen uint64
	var first time.Duration
	for b.Loop() {
		gen++
		start := time.Now()
		if _, err := m.Write(ctx, switchTo(gen, "bench")); err != nil {
			b.Fatal(err)
		}
		first += time.Since(start)
		m.Wait()
	}
	b.ReportMetric(float64(first.Microseconds())/1000/float64(gen), "first-commit-ms")
}
