// Package dnstest is the contract every dns.Provider keeps, as one test
// suite each provider's tests run against a real service: BIND and Knot
// (rfc2136), the Route 53-compatible and the Cloudflare-compatible
// services of infra/local (route53, cloudflare).
//
// The contract: Read returns the record and its state; Write switches
// both, and a write prepared from an older read fails with dns.ErrStale;
// of writers racing from the same read exactly one wins each generation; a
// write the service refuses leaves every record as it was; and no user
// record is ever deleted.
package dnstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// The zone every backend starts with.
const (
	Zone    = "example.com"
	Record  = "assets.example.com" // the switched record
	Primary = "192.0.2.10"         // its content at the start (type A)
	Standby = "198.51.100.20"
)

// Rec is one record of a zone, as the service holds it: Name without
// the final dot, Content in the service's own presentation.
type Rec struct {
	Name, Type, Content string
}

// UserRecords are in the zone besides the switched record (A Primary)
// from the start: records at the same name of other types, and at other
// names. None may ever disappear.
var UserRecords = []Rec{
	{Record, "AAAA", "2001:db8::10"},
	{"img." + Zone, "CNAME", "img.primary.example.net"},
	{Record, "TXT", "google-site-verification=abc"},
	{"www." + Zone, "A", "192.0.2.9"},
	{"_switchyard-other." + Zone, "TXT", "not ours"},
}

// Backend is one running service holding a fresh zone: the A record
// Record -> Primary (TTL 300) and UserRecords, and no state TXT.
type Backend interface {
	// Provider returns a new provider of Record (type A, TTL 60), with
	// its own connections, so that several can race.
	Provider(t testing.TB) dns.Provider
	// FailingProvider returns a provider whose reads work and whose
	// writes the service refuses or fails (every attempt).
	FailingProvider(t testing.TB) dns.Provider
	// Records returns every record of the zone as the service holds it
	// (SOA and NS may be left out).
	Records(t testing.TB) []Rec
}

// Run runs the contract against backends made by start, one per subtest.
func Run(t *testing.T, start func(t testing.TB) Backend) {
	t.Run("read", func(t *testing.T) { testRead(t, start(t)) })
	t.Run("write and stale write", func(t *testing.T) { testWrite(t, start(t)) })
	t.Run("racing writers", func(t *testing.T) { testRace(t, start(t)) })
	t.Run("failed write leaves everything as it was", func(t *testing.T) { testFailedWrite(t, start(t)) })
	t.Run("never deletes a user record", func(t *testing.T) { testNeverDeletes(t, start(t)) })
}

var since = time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)

// change is the write of generation gen by by; odd generations go to the
// standby.
func change(gen uint64, by string) dns.Change {
	side, target := state.Primary, Primary
	if gen%2 == 1 {
		side, target = state.Standby, Standby
	}
	return dns.Change{Target: target, State: state.State{Active: side, Gen: gen, Since: since, By: by,
		Reason: fmt.Sprintf(`gen %d: 4/5 down (aws,gcp) "quoted" \ back`, gen)}}
}

func testRead(t *testing.T, b Backend) {
	got, err := b.Provider(t).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !dns.SameTarget(got.Content, Primary) || got.HasState || got.Type != "A" || got.Name != Record {
		t.Fatalf("Read = %+v; want %s A %s and no state", got, Record, Primary)
	}
}

func testWrite(t *testing.T, b Backend) {
	ctx := context.Background()
	p := b.Provider(t)
	for gen := uint64(1); gen <= 3; gen++ {
		c := change(gen, "aws:eu-west-1")
		back, err := p.Write(ctx, c)
		if err != nil {
			t.Fatalf("gen %d: %v", gen, err)
		}
		if !back.Holds(c) || back.State.Reason != c.State.Reason {
			t.Fatalf("gen %d read-back = %+v; want the change, reason intact", gen, back)
		}
		got, err := b.Provider(t).Read(ctx)
		if err != nil || !got.Holds(c) {
			t.Fatalf("gen %d: another provider reads %+v, %v; want the change", gen, got, err)
		}
		before := b.Records(t)
		stale := change(gen, "gcp:europe-west1") // prepared from the read before this write
		if _, err := b.Provider(t).Write(ctx, stale); !errors.Is(err, dns.ErrStale) {
			t.Fatalf("gen %d again: err = %v, want dns.ErrStale", gen, err)
		}
		sameRecords(t, "after a stale write", before, b.Records(t))
	}
}

func testRace(t *testing.T, b Backend) {
	const writers, generations = 5, 3
	ps := make([]dns.Provider, writers)
	for i := range ps {
		ps[i] = b.Provider(t)
	}
	for gen := uint64(1); gen <= generations; gen++ {
		raceGeneration(t, ps, gen)
	}
}

// raceGeneration lets every provider write generation gen at the same
// moment: exactly one must win, the others must be told dns.ErrStale, and
// the winner's state must be what is stored.
func raceGeneration(t *testing.T, ps []dns.Provider, gen uint64) {
	t.Helper()
	ctx := context.Background()
	errs := make([]error, len(ps))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Go(func() {
			<-start
			_, errs[i] = p.Write(ctx, change(gen, fmt.Sprintf("w:%d", i)))
		})
	}
	close(start)
	wg.Wait()
	var winners []string
	for i, err := range errs {
		switch {
		case err == nil:
			winners = append(winners, fmt.Sprintf("w:%d", i))
		case !errors.Is(err, dns.ErrStale):
			t.Fatalf("gen %d writer %d: %v; want success or dns.ErrStale", gen, i, err)
		}
	}
	got, err := ps[0].Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(winners) != 1 || got.State.Gen != gen || got.State.By != winners[0] {
		t.Fatalf("gen %d: winners %v, stored %+v; want exactly one, and its state stored", gen, winners, got.State)
	}
}

func testFailedWrite(t *testing.T, b Backend) {
	ctx := context.Background()
	if _, err := b.Provider(t).Write(ctx, change(1, "aws:us-east-1")); err != nil {
		t.Fatal(err)
	}
	before := b.Records(t)
	if _, err := b.FailingProvider(t).Write(ctx, change(2, "aws:us-east-1")); err == nil {
		t.Fatal("the write the service fails succeeded")
	}
	sameRecords(t, "after a failed write", before, b.Records(t))
	if _, err := b.Provider(t).Write(ctx, change(2, "aws:us-east-1")); err != nil {
		t.Fatalf("the next write after a failed one: %v", err)
	}
}

func testNeverDeletes(t *testing.T, b Backend) {
	ctx := context.Background()
	p := b.Provider(t)
	for gen := uint64(1); gen <= 4; gen++ {
		if _, err := p.Write(ctx, change(gen, "manual:ops")); err != nil {
			t.Fatal(err)
		}
	}
	got := b.Records(t)
	for _, want := range append(slices.Clone(UserRecords), Rec{Record, "A", Primary}) {
		if !slices.ContainsFunc(got, func(r Rec) bool { return same(r, want) }) {
			t.Errorf("%s %s %s is gone; the zone holds %v", want.Name, want.Type, want.Content, got)
		}
	}
	n := 0
	for _, r := range got {
		if r.Name == Record && r.Type == "A" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d A records at %s, want exactly the switched one", n, Record)
	}
}

// same compares records as DNS does: names and host names without case or
// final dot, addresses by value, TXT without its quotes.
func same(a, b Rec) bool {
	unquote := func(s string) string {
		if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
			return s[1 : len(s)-1]
		}
		return s
	}
	return dns.SameTarget(a.Name, b.Name) && a.Type == b.Type &&
		(dns.SameTarget(a.Content, b.Content) || unquote(a.Content) == unquote(b.Content))
}

func sameRecords(t testing.TB, when string, before, after []Rec) {
	t.Helper()
	for _, r := range before {
		if !slices.ContainsFunc(after, func(a Rec) bool { return same(a, r) }) {
			t.Errorf("%s: %s %s %s is gone", when, r.Name, r.Type, r.Content)
		}
	}
	for _, r := range after {
		if !slices.ContainsFunc(before, func(a Rec) bool { return same(a, r) }) {
			t.Errorf("%s: %s %s %s appeared", when, r.Name, r.Type, r.Content)
		}
	}
}

// Bench measures one switch, the write and its read-back, on a backend
// made by start: b.N generations in a row on one provider.
func Bench(b *testing.B, start func(t testing.TB) Backend) {
	p := start(b).Provider(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		if _, err := p.Write(ctx, change(uint64(i+1), "bench")); err != nil {
			b.Fatal(err)
		}
	}
}
