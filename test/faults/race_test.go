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
