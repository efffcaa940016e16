package dns

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// memZone is a Zone in memory whose Apply checks what the plan was read
// from, as an RFC 2136 UPDATE's prerequisites do, and records every plan.
type memZone struct {
	recs  []Record
	plans []Plan
	next  int
}

func (z *memZone) Load(context.Context) ([]Record, error) {
	return append([]Record(nil), z.recs...), nil
}

func (z *memZone) find(r Record) int {
	for i, x := range z.recs {
		if x.ID == r.ID && x.Content == r.Content {
			return i
		}
	}
	return -1
}

func (z *memZone) Apply(_ context.Context, p Plan) error {
	z.plans = append(z.plans, p)
	for _, u := range p.Updates {
		if z.find(u.Old) < 0 {
			return fmt.Errorf("%s changed: %w", u.Old.Name, ErrConflict)
		}
	}
	for _, d := range p.Deletes {
		if z.find(d) < 0 {
			return fmt.Errorf("%s gone: %w", d.Name, ErrConflict)
		}
	}
	for _, u := range p.Updates {
		z.recs[z.find(u.Old)] = u.New
	}
	for _, d := range p.Deletes {
		i := z.find(d)
		z.recs = append(z.recs[:i], z.recs[i+1:]...)
	}
	for _, c := range p.Creates {
		z.next++
		c.ID = fmt.Sprint("new-", z.next)
		z.recs = append(z.recs, c)
	}
	return nil
}

// summary names each operation of a plan, e.g. "update assets.example.com".
func summary(p Plan) string {
	var ops []string
	for _, u := range p.Updates {
		ops = append(ops, "update "+u.Old.Name)
	}
	for _, d := range p.Deletes {
		ops = append(ops, "delete "+d.Name+" "+d.Content)
	}
	for _, c := range p.Creates {
		ops = append(ops, "create "+c.Name+" "+strings.Fields(c.Content)[0])
	}
	return strings.Join(ops, ", ")
}

// The plans a Zone receives are the shared rules made visible: the same
// for every provider, with the claim only where the provider asks for it.
func TestRegistryPlans(t *testing.T) {
	const rec = "assets.example.com"
	seed := func() *memZone {
		return &memZone{recs: []Record{
			{ID: "t", Name: rec, Type: "CNAME", Content: "primary.example.net", TTL: 60},
			{ID: "s", Name: StateName(rec), Type: "TXT", Content: `"v=1 active=primary gen=0 by=setup"`, TTL: 60},
			{ID: "u", Name: "www.example.com", Type: "CNAME", Content: "elsewhere.example.net"},
		}}
	}
	next := state.State{Active: state.Standby, Gen: 1, By: "aws:eu-west-1", Reason: "down"}
	tests := []struct {
		claims bool
		want   []string
	}{
		{false, []string{"update assets.example.com, update _switchyard.assets.example.com"}},
		{true, []string{
			"create _switchyard-claim.assets.example.com gen=0",
			"update assets.example.com, update _switchyard.assets.example.com, delete _switchyard-claim.assets.example.com gen=0, create _switchyard-claim.assets.example.com gen=1",
		}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("claims=%v", tc.claims), func(t *testing.T) {
			z := seed()
			r := NewRegistry(z, Options{Provider: "mem", Record: rec, Type: "CNAME", TTL: 60, Claims: tc.claims})
			got, err := r.Write(context.Background(), Change{Target: "standby.example.org", State: next})
			if err != nil || got.Content != "standby.example.org" || got.State.Gen != 1 {
				t.Fatalf("Write = %+v, %v", got, err)
			}
			var plans []string
			for _, p := range z.plans {
				plans = append(plans, summary(p))
			}
			if fmt.Sprint(plans) != fmt.Sprint(tc.want) {
				t.Errorf("plans:\n%s\nwant:\n%s", strings.Join(plans, "\n"), strings.Join(tc.want, "\n"))
			}
			// The state is replaced as read, never added beside it.
			if u := z.plans[len(z.plans)-1].Updates[1]; u.Old.ID != "s" || u.New.ID != "s" || u.New.Content != next.Format() {
				t.Errorf("state update %+v, want the TXT read (id s) replaced by the new state", u)
			}

			// A second writer that read gen 0 is refused before any plan.
			n := len(z.plans)
			if _, err := r.Write(context.Background(), Change{Target: "standby.example.org", State: next}); err != nil {
				t.Fatalf("a repeated write that holds already: %v, want success (recognised by Holds)", err)
			}
			stale := state.State{Active: state.Primary, Gen: 1, By: "aws:us-east-1"}
			if _, err := r.Write(context.Background(), Change{Target: "primary.example.net", State: stale}); !errors.Is(err, ErrStale) {
				t.Fatalf("stale write: %v, want ErrStale", err)
			}
			if len(z.plans) != n {
				t.Errorf("%d more plans sent for writes that needed none", len(z.plans)-n)
			}
		})
	}
}

// lossy commits a plan, lets another writer move on, then loses the answer.
type lossy struct {
	*memZone
	after func() // runs once, after the first commit
}

func (z *lossy) Apply(ctx context.Context, p Plan) error {
	if err := z.memZone.Apply(ctx, p); err != nil || z.after == nil || len(p.Updates) == 0 {
		return err
	}
	after := z.after
	z.after = nil
	after()
	return fmt.Errorf("connection reset: %w", ErrTransient)
}

// A write whose answer was lost, and whose change a newer one replaced
// before the re-read, cannot know whether it committed: it says so.
func TestLostAnswerThenReplacedSaysItMayHaveCommitted(t *testing.T) {
	const rec = "assets.example.com"
	mem := &memZone{recs: []Record{{ID: "t", Name: rec, Type: "A", Content: "192.0.2.1", TTL: 60}}}
	o := Options{Provider: "mem", Record: rec, Type: "A", TTL: 60, Retry: Retry{Max: 2, Sleep: func(context.Context, time.Duration) error { return nil }}}
	other := NewRegistry(mem, o)
	z := &lossy{memZone: mem}
	z.after = func() {
		back := state.State{Active: state.Primary, Gen: 2, By: "manual:ops"}
		if _, err := other.Write(context.Background(), Change{Target: "192.0.2.1", State: back}); err != nil {
			t.Errorf("the other writer: %v", err)
		}
	}
	_, err := NewRegistry(z, o).Write(context.Background(), Change{Target: "198.51.100.7", State: state.State{Active: state.Standby, Gen: 1, By: "aws:eu-west-1"}})
	if !errors.Is(err, ErrStale) || !strings.Contains(err.Error(), "may have committed gen 1 before gen 2 replaced it") {
		t.Fatalf("err = %v, want ErrStale saying gen 1 may have committed", err)
	}
}

// A person re-points the record by hand between a writer's decision and
// its write; the generation does not move. The write must refuse rather
// than overwrite the hand change, and only a write without From (a forced
// manual move) may replace it.
func TestWriteNeverOverwritesAHandChange(t *testing.T) {
	const rec = "assets.example.com"
	for _, claims := range []bool{false, true} {
		t.Run(fmt.Sprintf("claims=%v", claims), func(t *testing.T) {
			z := &memZone{recs: []Record{
				{ID: "t", Name: rec, Type: "CNAME", Content: "primary.example.net", TTL: 60},
				{ID: "s", Name: StateName(rec), Type: "TXT", Content: `"v=1 active=primary gen=0 by=setup"`, TTL: 60},
			}}
			r := NewRegistry(z, Options{Provider: "mem", Record: rec, Type: "CNAME", TTL: 60, Claims: claims})
			ctx := context.Background()
			snap, err := r.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			z.recs[0].Content = "maintenance.example.net" // by hand, after the decision read
			next := state.State{Active: state.Standby, Gen: 1, By: "aws:eu-west-1", Reason: "down"}
			_, err = r.Write(ctx, Change{Target: "standby.example.net", State: next, From: snap.Content})
			if !errors.Is(err, ErrStale) {
				t.Fatalf("err = %v, want ErrStale", err)
			}
			if !strings.Contains(err.Error(), "maintenance.example.net") {
				t.Errorf("error %q does not say where the record points now", err)
			}
			if got := z.recs[0].Content; got != "maintenance.example.net" {
				t.Fatalf("record = %s, the hand change was overwritten", got)
			}
			// Differently spelt but the same target is no hand change.
			if _, err := r.Write(ctx, Change{Target: "standby.example.net", State: next, From: "MAINTENANCE.example.net."}); err != nil {
				t.Fatalf("From in another spelling: %v", err)
			}
		})
	}
}

// A write with a base generation jumps a provider that missed writes to
// another's newer state in one compare-and-swap from the generation it
// holds (dns/multi's repair), and is stale from any other generation.
func TestWriteFromABaseGeneration(t *testing.T) {
	const rec = "assets.example.com"
	for _, claims := range []bool{false, true} {
		t.Run(fmt.Sprintf("claims=%v", claims), func(t *testing.T) {
			z := &memZone{recs: []Record{
				{ID: "t", Name: rec, Type: "CNAME", Content: "primary.example.net", TTL: 60},
				{ID: "s", Name: StateName(rec), Type: "TXT", Content: `"v=1 active=primary gen=2 by=setup"`, TTL: 60},
			}}
			if claims {
				z.recs = append(z.recs, Record{ID: "c", Name: ClaimName(rec), Type: "TXT", Content: ClaimContent(2), TTL: 60})
			}
			r := NewRegistry(z, Options{Provider: "mem", Record: rec, Type: "CNAME", TTL: 60, Claims: claims})
			ctx := context.Background()
			newest := state.State{Active: state.Standby, Gen: 5, By: "aws:eu-west-1", Reason: "down"}
			wrong, base := uint64(3), uint64(2)
			if _, err := r.Write(ctx, Change{Target: "standby.example.net", State: newest, Base: &wrong}); !errors.Is(err, ErrStale) {
				t.Fatalf("from gen 3 while gen 2 is stored: err = %v, want ErrStale", err)
			}
			if _, err := r.Write(ctx, Change{Target: "standby.example.net", State: newest}); !errors.Is(err, ErrStale) {
				t.Fatalf("without a base (from gen 4): err = %v, want ErrStale", err)
			}
			got, err := r.Write(ctx, Change{Target: "standby.example.net", State: newest, Base: &base, From: "primary.example.net"})
			if err != nil {
				t.Fatal(err)
			}
			if got.State.Gen != 5 || got.State.By != "aws:eu-west-1" || got.Content != "standby.example.net" {
				t.Fatalf("read back %+v", got)
			}
			same := uint64(5)
			if _, err := r.Write(ctx, Change{Target: "primary.example.net", State: newest, Base: &same}); !errors.Is(err, ErrPermanent) {
				t.Fatalf("a base not below the state's gen: err = %v, want ErrPermanent", err)
			}
		})
	}
}
