package route53

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/dnstest"
	"github.com/switchyard-dns/switchyard/infra/local/route53api"
)

// contractBackend is the Route 53-compatible service on a real port,
// driven by the unmodified aws-sdk-go-v2 client.
type contractBackend struct {
	api *route53api.Server
	url string
}

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
	api := route53api.New(route53api.Options{AccessKey: accessKey, ZoneName: dnstest.Zone})
	api.Put(route53api.RecordSet{Name: dnstest.Record, Type: "A", TTL: 300, Values: []string{dnstest.Primary}})
	for _, r := range dnstest.UserRecords {
		v := r.Content
		if r.Type == "TXT" {
			v = `"` + v + `"`
		}
		api.Put(route53api.RecordSet{Name: r.Name, Type: r.Type, TTL: 300, Values: []string{v}})
	}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return &contractBackend{api: api, url: srv.URL}
}

func (b *contractBackend) Provider(t testing.TB) dns.Provider {
	return newProvider(t, b.url, b.api.ZoneID(), "A")
}

// FailingProvider's every change batch is answered 503, as many times as
// it tries.
func (b *contractBackend) FailingProvider(t testing.TB) dns.Provider {
	const retries = 2
	p := newProvider(t, b.url, b.api.ZoneID(), "A", func(o *Options) { o.MaxRetries = retries })
	b.api.FailNext(route53api.Fault{Status: 503, Code: "ServiceUnavailable", Count: retries + 1, Changes: true})
	return p
}

func (b *contractBackend) ProviderWith(t testing.TB, o dnstest.ProviderOptions) dns.Provider {
	const retries = 2
	typ := "A"
	if o.Type != "" {
		typ = o.Type
	}
	p := newProvider(t, b.url, b.api.ZoneID(), typ, func(opt *Options) {
		if o.Record != "" {
			opt.Record = o.Record
		}
		opt.Group = o.Group
		if o.Failing {
			opt.MaxRetries = retries
		}
	})
	if o.Failing {
		b.api.FailNext(route53api.Fault{Status: 503, Code: "ServiceUnavailable", Count: retries + 1, Changes: true})
	}
	return p
}

func (b *contractBackend) Records(t testing.TB) []dnstest.Rec {
	var out []dnstest.Rec
	for _, rs := range b.api.Records() {
		for _, v := range rs.Values {
			out = append(out, dnstest.Rec{Name: strings.TrimSuffix(rs.Name, "."), Type: rs.Type, Content: v})
		}
	}
	return out
}

// A group's read stays within the API budget: one ListResourceRecordSets,
// however many records (from the group's first name to its last).
func TestGroupReadIsOneListCall(t *testing.T) {
	b := startContract(t).(*contractBackend)
	p := b.ProviderWith(t, dnstest.ProviderOptions{Group: dnstest.Group})
	before := len(b.api.Calls())
	if _, err := p.Read(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls := b.api.Calls()[before:]; len(calls) != 1 || !strings.HasSuffix(calls[0].Path, "/rrset") {
		t.Fatalf("one read of a three-record group made %d calls %+v; want one ListResourceRecordSets", len(calls), calls)
	}
}
