package faults

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/cloudflare"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
	"github.com/switchyard-dns/switchyard/infra/local/world"
	"github.com/switchyard-dns/switchyard/test/campaign/invariant"
)

// TestRacingDeciders has several deciders reach the same decision from the
// same snapshot at the same instant, truly concurrently, many times: each
// calls Write with gen+1. The record must end on the standby, the
// generation must move by exactly one, and exactly one writer may say it
// switched; every other must be told it lost (dns.ErrStale).
func TestRacingDeciders(t *testing.T) {
	const writers = 4
	n := trials(t, 50)
	var switches, lost int
	var firstLost []invariant.Violation
	for i := range n {
		z := newZone(t)
		ps := make([]*cloudflare.Provider, writers)
		for w := range ps {
			ps[w] = z.provider(t, func(o *cloudflare.Options) { o.RequestTimeout = 5 * time.Second })
		}
		snap := z.readNow(t)
		start := make(chan struct{})
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for w, p := range ps {
			wg.Go(func() {
				<-start
				_, errs[w] = p.Write(context.Background(), change(snap, state.Standby, fmt.Sprintf("aws:region-%d", w), time.Now()))
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for w, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, dns.ErrStale):
				t.Fatalf("trial %d: writer %d: %v, want success or ErrStale", i, w, err)
			}
		}
		lost += z.lost()
		if firstLost == nil {
			firstLost = z.inv.First()
		}
		got := z.check(t)
		switches += int(got.Gen)
		if got.Side != state.Standby || got.Gen != 1 {
			t.Fatalf("trial %d: %s at gen %d, want standby at gen 1", i, got.Side, got.Gen)
		}
		if won != 1 {
			t.Fatalf("trial %d: %d writers say they switched (final by=%s), want exactly 1", i, won, got.By)
		}
		z.srv.Close() // free its goroutines before the next trial
	}
	if lost > 0 {
		t.Errorf("%d records lost or inconsistent, e.g. %v", lost, firstLost)
	}
	report(t, Row{
		Fault: "Racing deciders (same decision)", Injected: fmt.Sprintf("%d goroutines call Write(standby, gen+1) from one snapshot at once", writers),
		Trials: n, Switches: switches, RecordsLost: lost,
		Held: "record on the standby, gen moved by exactly 1, exactly one writer switched, the others got ErrStale",
	})
}

// tagged marks a decider's requests so a fault can pick them out.
type tagged struct {
	tag  string
	base http.RoundTripper
}

func (t tagged) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Test-Decider", t.tag)
	return t.base.RoundTrip(r)
}

// TestStaleWriterCannotWin is the interleaving that could flip-flop: two
// deciders read standby at gen 1 and both decide to fail back; the API
// holds the second one's batch. Meanwhile the first fails back (gen 2) and
// a third, seeing the primary fail again, fails over (gen 3). Then the held
// batch arrives: it was checked against gen 1 and would write the primary
// at gen 2 over the newer standby at gen 3. It must not.
func TestStaleWriterCannotWin(t *testing.T) {
	n := trials(t, 10)
	var switches, lost int
	var firstLost []invariant.Violation
	for i := range n {
		z := newZone(t)
		first := z.provider(t)
		if _, err := first.Write(context.Background(), change(z.readNow(t), state.Standby, "aws:us-east-1", time.Now())); err != nil {
			t.Fatal(err)
		}
		atGen1 := z.readNow(t)

		arrived := make(chan struct{})
		var once sync.Once
		z.api.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultDelay, Times: 1, Match: func(r *http.Request) bool {
			if r.Header.Get("X-Test-Decider") == "held" && cloudflareapi.Batches(r) {
				once.Do(func() { close(arrived) })
				return true
			}
			return false
		}})
		held := z.provider(t, func(o *cloudflare.Options) {
			o.RequestTimeout = 10 * time.Second
			o.HTTPClient = &http.Client{Transport: tagged{tag: "held", base: http.DefaultTransport.(*http.Transport).Clone()}}
		})
		heldErr := make(chan error, 1)
		go func() {
			_, err := held.Write(context.Background(), change(atGen1, state.Primary, "gcp:europe-west1", time.Now()))
			heldErr <- err
		}()
		<-arrived

		if _, err := z.provider(t).Write(context.Background(), change(atGen1, state.Primary, "aws:us-west-2", time.Now())); err != nil {
			t.Fatalf("trial %d: failback: %v", i, err)
		}
		if _, err := z.provider(t).Write(context.Background(), change(z.readNow(t), state.Standby, "aws:eu-west-1", time.Now())); err != nil {
			t.Fatalf("trial %d: failover again: %v", i, err)
		}
		z.api.ClearFaults() // the held batch now runs
		err := <-heldErr
		lost += z.lost()
		if firstLost == nil {
			firstLost = z.inv.First()
		}
		got := z.check(t)
		switches += int(got.Gen)
		if got.Side != state.Standby || got.Gen != 3 {
			t.Fatalf("trial %d: the stale batch won: %s at gen %d by %s, want standby at gen 3 (held writer: %v)", i, got.Side, got.Gen, got.By, err)
		}
		if !errors.Is(err, dns.ErrStale) {
			t.Fatalf("trial %d: held writer: %v, want ErrStale", i, err)
		}
		z.srv.Close()
	}
	if lost > 0 {
		t.Errorf("%d records lost or inconsistent, e.g. %v", lost, firstLost)
	}
	report(t, Row{
		Fault: "Stale writer (failback racing failover)", Injected: "the API holds one decider's batch (checked at gen 1) until two newer switches (gen 2, gen 3) committed",
		Trials: n, Switches: switches, RecordsLost: lost,
		Held: "the late batch is refused whole; the record stays on the newer state; the stale writer gets ErrStale; no flip-flop",
	})
}

// TestFirstSwitchIsACompareAndSwap is issue 10's defect 3, in its exact
// sequence. The zone is as the world seeds it: the record, its state TXT at
// gen 0, and no generation claim (nothing creates one beforehand). A
// decider's gen-1 batch, prepared from that claimless zone, is held by the
// API; meanwhile another vantage point commits gen 1 and an operator pins
// the primary at gen 2. Then the held batch lands. Before, it had no claim
// to delete and committed: the record ended on the standby beside a second
// state TXT saying "primary, pinned, gen 2", two claims, automation wedged
// and the pin silently overridden; and its writer was told "another
// vantage point wrote first" although its own batch had committed. Now the
// registry creates the claim before the first batch, so the held batch
// deletes a claim that is gone and fails whole, and its writer is told so.
func TestFirstSwitchIsACompareAndSwap(t *testing.T) {
	n := trials(t, 10)
	for i := range n {
		z := newZone(t)
		claimless := z.readNow(t)
		if claimless.State.Gen != 0 || len(z.claims()) != 0 {
			t.Fatalf("seed: gen %d, claims %v; want gen 0 and no claim", claimless.State.Gen, z.claims())
		}

		arrived := make(chan struct{})
		var once sync.Once
		z.api.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultDelay, Times: 1, Match: func(r *http.Request) bool {
			if r.Header.Get("X-Test-Decider") == "held" && cloudflareapi.Batches(r) {
				once.Do(func() { close(arrived) })
				return true
			}
			return false
		}})
		held := z.provider(t, func(o *cloudflare.Options) {
			o.RequestTimeout = 10 * time.Second
			o.HTTPClient = &http.Client{Transport: tagged{tag: "held", base: http.DefaultTransport.(*http.Transport).Clone()}}
		})
		heldErr := make(chan error, 1)
		go func() {
			_, err := held.Write(context.Background(), change(claimless, state.Standby, "gcp:europe-west1", time.Now()))
			heldErr <- err
		}()
		<-arrived

		if _, err := z.provider(t).Write(context.Background(), change(z.readNow(t), state.Standby, "aws:us-east-1", time.Now())); err != nil {
			t.Fatalf("trial %d: the other vantage point's gen 1: %v", i, err)
		}
		atGen1 := z.readNow(t)
		pin := atGen1.State.Next(state.Primary, "manual:ops", "pinned by the operator", true, time.Now())
		if _, err := z.provider(t).Write(context.Background(), dns.Change{Target: world.PrimaryTarget, State: pin}); err != nil {
			t.Fatalf("trial %d: the operator's pin at gen 2: %v", i, err)
		}
		z.api.ClearFaults() // the held batch now runs
		err := <-heldErr

		got := z.check(t) // exactly one record and one state TXT, agreeing
		final := z.readNow(t)
		if got.Side != state.Primary || got.Gen != 2 || !final.State.Pinned || got.By != "manual:ops" {
			t.Fatalf("trial %d: the held batch overrode the pin: %s at gen %d by %s (pinned %v), want primary pinned at gen 2 by manual:ops",
				i, got.Side, got.Gen, got.By, final.State.Pinned)
		}
		if claims := z.claims(); len(claims) != 1 || claims[0] != cloudflare.QuoteTXT(dns.ClaimContent(2)) {
			t.Fatalf("trial %d: claims %v, want only gen 2's", i, claims)
		}
		if !errors.Is(err, dns.ErrStale) || errors.Is(err, dns.ErrSuperseded) {
			t.Fatalf("trial %d: held writer: %v, want ErrStale (its batch never committed)", i, err)
		}
		z.srv.Close()
	}
	report(t, Row{
		Fault: "First switch held (no claim yet)", Injected: "the API holds a gen-1 batch prepared from a claimless zone until another vantage committed gen 1 and an operator pinned the primary at gen 2",
		Trials: n, Switches: 2 * n,
		Held: "the late batch is refused whole; the pin stays (primary, pinned, gen 2); one state TXT, one claim; the held writer gets ErrStale",
	})
}

// TestHeldClaimCreationCannotSwitch holds the very request a writer
// prepares from a claimless read, the creation of the first generation
// claim, until another vantage point committed gen 1 and an operator
// pinned the primary at gen 2. The late claim lands beside the newer one,
// but a claim switches nothing: the writer reads again, finds gen 2, gives
// up with ErrStale and deletes the claim it left behind; the pin stays.
func TestHeldClaimCreationCannotSwitch(t *testing.T) {
	n := trials(t, 10)
	for i := range n {
		z := newZone(t)
		claimless := z.readNow(t)
		arrived := make(chan struct{})
		var once sync.Once
		z.api.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultDelay, Times: 1, Match: func(r *http.Request) bool {
			if r.Header.Get("X-Test-Decider") == "held" && r.Method == http.MethodPost && !cloudflareapi.Batches(r) {
				once.Do(func() { close(arrived) })
				return true
			}
			return false
		}})
		held := z.provider(t, func(o *cloudflare.Options) {
			o.RequestTimeout = 10 * time.Second
			o.HTTPClient = &http.Client{Transport: tagged{tag: "held", base: http.DefaultTransport.(*http.Transport).Clone()}}
		})
		heldErr := make(chan error, 1)
		go func() {
			_, err := held.Write(context.Background(), change(claimless, state.Standby, "gcp:europe-west1", time.Now()))
			heldErr <- err
		}()
		<-arrived

		if _, err := z.provider(t).Write(context.Background(), change(z.readNow(t), state.Standby, "aws:us-east-1", time.Now())); err != nil {
			t.Fatalf("trial %d: the other vantage point's gen 1: %v", i, err)
		}
		pin := z.readNow(t).State.Next(state.Primary, "manual:ops", "pinned by the operator", true, time.Now())
		if _, err := z.provider(t).Write(context.Background(), dns.Change{Target: world.PrimaryTarget, State: pin}); err != nil {
			t.Fatalf("trial %d: the operator's pin at gen 2: %v", i, err)
		}
		z.api.ClearFaults() // the held claim creation now lands
		err := <-heldErr

		got := z.check(t)
		if got.Side != state.Primary || got.Gen != 2 || got.By != "manual:ops" || !z.readNow(t).State.Pinned {
			t.Fatalf("trial %d: %s at gen %d by %s, want the pin (primary, gen 2, manual:ops) intact", i, got.Side, got.Gen, got.By)
		}
		if !errors.Is(err, dns.ErrStale) {
			t.Fatalf("trial %d: held writer: %v, want ErrStale", i, err)
		}
		if claims := z.claims(); len(claims) != 1 || claims[0] != cloudflare.QuoteTXT(dns.ClaimContent(2)) {
			t.Fatalf("trial %d: claims %v, want only gen 2's (the late one deleted by its writer)", i, claims)
		}
		z.srv.Close()
	}
	report(t, Row{
		Fault: "First claim's creation held", Injected: "the API holds the claim creation a writer prepared from a claimless zone until another vantage committed gen 1 and an operator pinned the primary at gen 2",
		Trials: n, Switches: 2 * n,
		Held: "the late claim switches nothing; the pin stays; the held writer gets ErrStale and deletes the claim it left; one claim remains",
	})
}

// claims returns the contents of the zone's generation claims.
func (z *zone) claims() []string {
	var out []string
	for _, r := range z.api.Records() {
		if r.Name == dns.ClaimName(world.Record) {
			out = append(out, r.Content)
		}
	}
	return out
}
