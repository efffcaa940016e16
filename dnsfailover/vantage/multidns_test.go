package vantage_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/cloudflare"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/multi"
	"github.com/switchyard-dns/switchyard/dnsfailover/notify"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
)

// receiver is a real webhook endpoint that keeps the events it is sent.
type receiver struct {
	mu     sync.Mutex
	events []notify.Event
}

func (rc *receiver) kinds(k notify.Kind) []notify.Event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []notify.Event
	for _, e := range rc.events {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// uncached reads a Cached provider through to its API every time.
type uncached struct{ *dns.Cached }

func (u uncached) Read(ctx context.Context) (dns.Snapshot, error) { return u.Fresh(ctx) }

// Two DNS providers disagreeing (a writer died after the first; the second
// refuses every write, so no repair lands) is told once, by the first
// vantage point by id, after NotifyDNSFailures rounds; the others say
// nothing, and rounds after it tell nothing more.
func TestDNSProvidersDisagreeingIsToldOnce(t *testing.T) {
	rc := &receiver{}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var e notify.Event
		if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		rc.events = append(rc.events, e)
		rc.mu.Unlock()
	}))
	t.Cleanup(hook.Close)

	second := cloudflareapi.New(cloudflareapi.Options{Token: token, ZoneName: "example.com"})
	second.Add(cloudflareapi.Record{Name: record, Type: "CNAME", Content: primary, TTL: 60})
	second.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: http.StatusServiceUnavailable, Match: cloudflareapi.Batches})
	secondSrv := httptest.NewServer(second.Handler())
	t.Cleanup(secondSrv.Close)

	var multis []*multi.Multi
	var notifiers []*notify.Notifier
	h := newHarnessWith(t, manual, false, nil, func(o *vantage.Options) {
		p, err := cloudflare.New(cloudflare.Options{APIURL: secondSrv.URL + "/client/v4", ZoneID: second.ZoneID(), Token: token,
			Record: record, Type: "CNAME", TTL: 60, MaxRetries: -1})
		if err != nil {
			t.Fatal(err)
		}
		// The first provider is the harness's own (its zone, its client).
		m, err := multi.New(multi.Options{Providers: []multi.Named{
			{Name: "cloudflare", Provider: uncached{o.DNS}},
			{Name: "route53", Provider: p},
		}, PrimaryTarget: primary, StandbyTarget: standby})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(m.Wait)
		multis = append(multis, m)
		o.DNS = dns.NewCached(m, 0, nil) // every round reads the providers
		o.NotifyDNSFailures = 2
		n := notify.New(notify.Options{Sinks: []notify.Sink{&notify.Webhook{URL: hook.URL, Key: []byte(secret), HTTP: hook.Client(), Now: time.Now}}})
		t.Cleanup(n.Close)
		notifiers = append(notifiers, n)
		o.Notify = n
	})
	// The writer that died between the providers: its switch is on the
	// first only.
	first, err := cloudflare.New(cloudflare.Options{APIURL: h.apiURL, ZoneID: h.cf.ZoneID(), Token: token, Record: record, Type: "CNAME", TTL: 60})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := first.Write(ctx, dns.Change{Target: standby, From: primary,
		State: state.State{Active: state.Standby, Gen: 1, By: "aws:died", Since: time.Now().UTC().Truncate(time.Second), Reason: "test"}}); err != nil {
		t.Fatal(err)
	}

	teller := slices.Index(ids, slices.Min(ids))
	other := (teller + 1) % len(ids)
	for i := range 4 {
		for _, k := range []int{teller, other} {
			r := h.nodes[k].v.RunRound(ctx)
			if r.Record == nil || r.Record.State.Gen != 1 || !slices.Equal(r.Record.Disagreeing(), []string{"route53"}) {
				t.Fatalf("round %d of %s: record %+v, want gen 1 with route53 disagreeing", i, ids[k], r.Record)
			}
			multis[k].Wait() // its repair fails: the second refuses writes
		}
	}
	for _, n := range notifiers {
		if err := n.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	told := rc.kinds(notify.DNSDisagree)
	if len(told) != 1 {
		t.Fatalf("%d dns_disagree notifications, want exactly one: %+v", len(told), told)
	}
	if e := told[0]; e.Vantage != ids[teller] || e.Generation != 1 || e.Target != standby {
		t.Errorf("told %+v, want by %s at gen 1 on the standby", e, ids[teller])
	}
}
