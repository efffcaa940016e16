package dnstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// Group is the failover group the group cases switch with Record (A):
// the AAAA beside it and the CNAME at another name, both in UserRecords
// on their primary targets from the start.
var Group = []dns.Member{
	{Name: Record, Type: "AAAA", Primary: "2001:db8::10", Standby: "2001:db8::20"},
	{Name: "img." + Zone, Type: "CNAME", Primary: "img.primary.example.net", Standby: "img.standby.example.net"},
}

// ProviderOptions say which provider a GroupBackend returns.
type ProviderOptions struct {
	Record, Type string       // "" means Record, "A"
	Group        []dns.Member // the failover group's other records
	// Failing: reads work, and the service refuses or fails every write.
	Failing bool
}

// GroupBackend is a Backend that can also return a provider of a failover
// group, or of another record of the zone (to change it as a person
// would, through the service's own API).
type GroupBackend interface {
	Backend
	ProviderWith(t testing.TB, o ProviderOptions) dns.Provider
}

// RunGroup runs the failover-group contract against backends made by
// start, one per subtest: groups of two (A and AAAA at one name) and three
// (and a CNAME at another name) records are read together, switched in one
// write, refused whole when stale or when the service fails the write, won
// by exactly one of racing writers, and a member a person changed is
// reported and left alone by automation until a forced move repairs it.
func RunGroup(t *testing.T, start func(t testing.TB) GroupBackend) {
	for _, g := range []struct {
		name  string
		group []dns.Member
	}{{"two records", Group[:1]}, {"three records", Group}} {
		t.Run(g.name, func(t *testing.T) {
			t.Run("read", func(t *testing.T) { testGroupRead(t, start(t), g.group) })
			t.Run("write and stale write", func(t *testing.T) { testGroupWrite(t, start(t), g.group) })
			t.Run("racing writers", func(t *testing.T) { testGroupRace(t, start(t), g.group) })
			t.Run("failed write leaves all as they were", func(t *testing.T) { testGroupFailedWrite(t, start(t), g.group) })
		})
	}
	t.Run("a member changed by hand", func(t *testing.T) { testGroupHandChange(t, start(t), Group) })
}

// wantGroup checks that the zone holds every record of the group on side.
func wantGroup(t testing.TB, when string, b Backend, group []dns.Member, side state.Side) {
	t.Helper()
	got := b.Records(t)
	lead := Primary
	if side == state.Standby {
		lead = Standby
	}
	want := []Rec{{Record, "A", lead}}
	for _, m := range group {
		want = append(want, Rec{m.Name, m.Type, m.Target(side)})
	}
	for _, w := range want {
		n := 0
		for _, r := range got {
			if dns.SameTarget(r.Name, w.Name) && r.Type == w.Type {
				n++
				if !same(r, w) {
					t.Errorf("%s: %s %s is %s, want %s (the %s)", when, w.Name, w.Type, r.Content, w.Content, side)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s: %d %s records named %s, want exactly one", when, n, w.Type, w.Name)
		}
	}
}

func testGroupRead(t *testing.T, b GroupBackend, group []dns.Member) {
	got, err := b.ProviderWith(t, ProviderOptions{Group: group}).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !dns.SameTarget(got.Content, Primary) || got.HasState || len(got.Group) != len(group) {
		t.Fatalf("Read = %+v; want %s A %s, no state and %d members", got, Record, Primary, len(group))
	}
	for i, m := range got.Group {
		if m.Member != group[i] || !dns.SameTarget(m.Content, group[i].Primary) {
			t.Errorf("member %d = %+v; want %s on %s", i, m, group[i], group[i].Primary)
		}
	}
	if cur, err := got.Current(Primary, Standby); err != nil || cur.Active != state.Primary {
		t.Errorf("Current = %+v, %v; want the primary", cur, err)
	}
}

func testGroupWrite(t *testing.T, b GroupBackend, group []dns.Member) {
	ctx := context.Background()
	p := b.ProviderWith(t, ProviderOptions{Group: group})
	for gen := uint64(1); gen <= 3; gen++ {
		c := change(gen, "aws:eu-west-1")
		back, err := p.Write(ctx, c)
		if err != nil {
			t.Fatalf("gen %d: %v", gen, err)
		}
		if !back.Holds(c) || len(back.Group) != len(group) {
			t.Fatalf("gen %d read-back = %+v; want the change on every member", gen, back)
		}
		wantGroup(t, fmt.Sprintf("gen %d", gen), b, group, c.State.Active)
		before := b.Records(t)
		stale := change(gen, "gcp:europe-west1") // prepared from the read before this write
		if _, err := b.ProviderWith(t, ProviderOptions{Group: group}).Write(ctx, stale); !errors.Is(err, dns.ErrStale) {
			t.Fatalf("gen %d again: err = %v, want dns.ErrStale", gen, err)
		}
		sameRecords(t, "after a stale write", before, b.Records(t))
	}
}

func testGroupRace(t *testing.T, b GroupBackend, group []dns.Member) {
	const writers, generations = 4, 3
	ps := make([]dns.Provider, writers)
	for i := range ps {
		ps[i] = b.ProviderWith(t, ProviderOptions{Group: group})
	}
	for gen := uint64(1); gen <= generations; gen++ {
		raceGeneration(t, ps, gen)
		wantGroup(t, fmt.Sprintf("gen %d", gen), b, group, change(gen, "").State.Active)
	}
}

func testGroupFailedWrite(t *testing.T, b GroupBackend, group []dns.Member) {
	ctx := context.Background()
	if _, err := b.ProviderWith(t, ProviderOptions{Group: group}).Write(ctx, change(1, "aws:us-east-1")); err != nil {
		t.Fatal(err)
	}
	before := b.Records(t)
	if _, err := b.ProviderWith(t, ProviderOptions{Group: group, Failing: true}).Write(ctx, change(2, "aws:us-east-1")); err == nil {
		t.Fatal("the write the service fails succeeded")
	}
	sameRecords(t, "after a failed write", before, b.Records(t))
	wantGroup(t, "after a failed write", b, group, state.Standby)
	if _, err := b.ProviderWith(t, ProviderOptions{Group: group}).Write(ctx, change(2, "aws:us-east-1")); err != nil {
		t.Fatalf("the next write after a failed one: %v", err)
	}
	wantGroup(t, "after the next write", b, group, state.Primary)
}

// testGroupHandChange changes the CNAME member through the service, as a
// person would, and checks the rules of a hand-changed record: a read
// reports it (naming the record), automation's write (From set) is refused
// and changes nothing, and a forced move repairs the whole group.
func testGroupHandChange(t *testing.T, b GroupBackend, group []dns.Member) {
	ctx := context.Background()
	p := b.ProviderWith(t, ProviderOptions{Group: group})
	if _, err := p.Write(ctx, change(1, "aws:us-east-1")); err != nil {
		t.Fatal(err)
	}
	cname := group[len(group)-1]
	const hand = "img.by-hand.example.net"
	person := b.ProviderWith(t, ProviderOptions{Record: cname.Name, Type: cname.Type})
	if _, err := person.Write(ctx, dns.Change{Target: hand, State: state.State{Active: state.Primary, Gen: 1, By: "manual:person"}}); err != nil {
		t.Fatalf("changing %s by hand: %v", cname, err)
	}

	snap, err := p.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = snap.Current(Primary, Standby)
	var unmanaged *dns.UnmanagedError
	if !errors.As(err, &unmanaged) || !strings.Contains(unmanaged.Record, cname.String()) || !strings.Contains(unmanaged.Why, hand) {
		t.Fatalf("Current after a hand change = %v; want an UnmanagedError naming %s and %s", err, cname, hand)
	}

	before := b.Records(t)
	auto := change(2, "aws:us-east-1")
	auto.From = snap.Content
	if _, err := p.Write(ctx, auto); !errors.Is(err, dns.ErrStale) {
		t.Fatalf("automation's write over a hand change: err = %v, want dns.ErrStale", err)
	}
	sameRecords(t, "after automation's refused write", before, b.Records(t))
	if !slices.ContainsFunc(b.Records(t), func(r Rec) bool { return same(r, Rec{cname.Name, cname.Type, hand}) }) {
		t.Fatalf("the hand change to %s is gone", cname)
	}

	forced := change(2, "manual:ops") // From "": a forced move overwrites
	back, err := p.Write(ctx, forced)
	if err != nil {
		t.Fatalf("forced move: %v", err)
	}
	if cur, err := back.Current(Primary, Standby); err != nil || cur.Active != state.Primary {
		t.Fatalf("after the forced move Current = %+v, %v; want the whole group on the primary", cur, err)
	}
	wantGroup(t, "after the forced move", b, group, state.Primary)
}

// BenchGroup measures one switch of the three-record group, the write and
// its read-back: b.N generations in a row on one provider.
func BenchGroup(b *testing.B, start func(t testing.TB) GroupBackend) {
	p := start(b).ProviderWith(b, ProviderOptions{Group: Group})
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		if _, err := p.Write(ctx, change(uint64(i+1), "bench")); err != nil {
			b.Fatal(err)
		}
	}
}
