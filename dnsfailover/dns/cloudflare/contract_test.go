package cloudflare

import (
	"context"
	"net/http"
	"testing"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/dnstest"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
)

// contractBackend is the Cloudflare-compatible service on a real port,
// driven by the unmodified cloudflare-go client.
type contractBackend struct{ w *world }

func TestContract(t *testing.T) { dnstest.Run(t, startContract) }

func TestGroupContract(t *testing.T) {
	dnstest.RunGroup(t, func(t testing.TB) dnstest.GroupBackend { return startContract(t).(*contractBackend) })
}

// BenchmarkGroupSwitch times one switch of a three-record group.
func BenchmarkGroupSwitch(b *testing.B) {
	dnstest.BenchGroup(b, func(t testing.TB) dnstest.GroupBackend { return startContract(t).(*contractBackend) })
}

// BenchmarkSwitch times one switch (change and read-back) against the
// service: go test -run '^$' -bench Switch ./dnsfailover/dns/...
func BenchmarkSwitch(b *testing.B) { dnstest.Bench(b, startContract) }

func startContract(t testing.TB) dnstest.Backend {
	w := newWorld(t)
	w.api.Add(cloudflareapi.Record{Name: dnstest.Record, Type: "A", Content: dnstest.Primary, TTL: 300})
	for _, r := range dnstest.UserRecords {
		content := r.Content
		if r.Type == "TXT" {
			content = `"` + content + `"`
		}
		w.api.Add(cloudflareapi.Record{Name: r.Name, Type: r.Type, Content: content, TTL: 300})
	}
	return &contractBackend{w: w}
}

func (b *contractBackend) Provider(t testing.TB) dns.Provider { return b.w.provider(t, "A") }

// FailingProvider's every batch is answered 500, as many times as it tries.
func (b *contractBackend) FailingProvider(t testing.TB) dns.Provider {
	const retries = 2
	p := b.w.provider(t, "A", func(o *Options) { o.MaxRetries = retries })
	b.w.api.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: http.StatusInternalServerError,
		Match: cloudflareapi.Batches, Times: retries + 1})
	return p
}

func (b *contractBackend) ProviderWith(t testing.TB, o dnstest.ProviderOptions) dns.Provider {
	const retries = 2
	typ := "A"
	if o.Type != "" {
		typ = o.Type
	}
	p := b.w.provider(t, typ, func(opt *Options) {
		if o.Record != "" {
			opt.Record = o.Record
		}
		opt.Group = o.Group
		if o.Failing {
			opt.MaxRetries = retries
		}
	})
	if o.Failing {
		b.w.api.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: http.StatusInternalServerError,
			Match: cloudflareapi.Batches, Times: retries + 1})
	}
	return p
}

func (b *contractBackend) Records(t testing.TB) []dnstest.Rec {
	var out []dnstest.Rec
	for _, r := range b.w.api.Records() {
		out = append(out, dnstest.Rec{Name: r.Name, Type: r.Type, Content: r.Content})
	}
	return out
}

// A group's read stays within the API budget: one list call, however many
// records (they are listed by their names' common suffix).
func TestGroupReadIsOneListCall(t *testing.T) {
	b := startContract(t).(*contractBackend)
	p := b.ProviderWith(t, dnstest.ProviderOptions{Group: dnstest.Group})
	before := len(b.w.api.Calls())
	if _, err := p.Read(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls := b.w.api.Calls()[before:]; len(calls) != 1 || calls[0].Method != http.MethodGet {
		t.Fatalf("one read of a three-record group made %d calls %+v; want one list", len(calls), calls)
	}
}
