package rfc2136

import (
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	sydns "github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/dnstest"
	"github.com/switchyard-dns/switchyard/infra/local/nameserver"
	"github.com/switchyard-dns/switchyard/infra/local/nameserver/nameservertest"
)

// contractBackend is a real BIND or Knot serving the contract's zone, with
// a second key that may read but not update.
type contractBackend struct {
	s       *nameserver.Server
	key, ro nameserver.Key
}

func TestGroupContract(t *testing.T) {
	for _, kind := range nameserver.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			dnstest.RunGroup(t, func(t testing.TB) dnstest.GroupBackend { return startContract(t, kind).(*contractBackend) })
		})
	}
}

// BenchmarkGroupSwitch times one switch of a three-record group (one UPDATE
// and the read-back) on each server.
func BenchmarkGroupSwitch(b *testing.B) {
	for _, kind := range nameserver.Kinds {
		b.Run(string(kind), func(b *testing.B) {
			dnstest.BenchGroup(b, func(t testing.TB) dnstest.GroupBackend { return startContract(t, kind).(*contractBackend) })
		})
	}
}

func TestContract(t *testing.T) {
	for _, kind := range nameserver.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			dnstest.Run(t, func(t testing.TB) dnstest.Backend { return startContract(t, kind) })
		})
	}
}

// BenchmarkSwitch times one switch (UPDATE and read-back) on each server:
// go test -run '^$' -bench Switch ./dnsfailover/dns/...
func BenchmarkSwitch(b *testing.B) {
	for _, kind := range nameserver.Kinds {
		b.Run(string(kind), func(b *testing.B) {
			dnstest.Bench(b, func(t testing.TB) dnstest.Backend { return startContract(t, kind) })
		})
	}
}

func startContract(t testing.TB, kind nameserver.Kind) dnstest.Backend {
	records := []string{dnstest.Record + ". 300 IN A " + dnstest.Primary}
	for _, r := range dnstest.UserRecords {
		content := r.Content
		switch r.Type {
		case "TXT":
			content = `"` + content + `"`
		case "CNAME":
			content += "." // a zone file's name without the dot is relative
		}
		records = append(records, r.Name+". 300 IN "+r.Type+" "+content)
	}
	b := &contractBackend{key: nameservertest.NewKey(), ro: nameservertest.NewNamedKey("switchyard-read-only.")}
	b.s = nameservertest.StartWith(t, nameserver.Options{Kind: kind, Key: b.key, ReadOnlyKey: &b.ro, Records: records})
	return b
}

func (b *contractBackend) provider(t testing.TB, key nameserver.Key) *Provider {
	return b.providerWith(t, key, dnstest.ProviderOptions{})
}

func (b *contractBackend) providerWith(t testing.TB, key nameserver.Key, o dnstest.ProviderOptions) *Provider {
	t.Helper()
	record, typ := dnstest.Record, "A"
	if o.Record != "" {
		record, typ = o.Record, o.Type
	}
	p, err := New(Options{Server: b.s.Addr, Zone: dnstest.Zone, KeyName: key.Name, Algorithm: key.Algorithm,
		Secret: key.Secret, Record: record, Type: typ, TTL: 60, Group: o.Group, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (b *contractBackend) Provider(t testing.TB) sydns.Provider        { return b.provider(t, b.key) }
func (b *contractBackend) FailingProvider(t testing.TB) sydns.Provider { return b.provider(t, b.ro) }

// ProviderWith's failing provider signs with the key that may read but not
// update: the server refuses every UPDATE.
func (b *contractBackend) ProviderWith(t testing.TB, o dnstest.ProviderOptions) sydns.Provider {
	if o.Failing {
		return b.providerWith(t, b.ro, o)
	}
	return b.providerWith(t, b.key, o)
}

func (b *contractBackend) Records(t testing.TB) []dnstest.Rec {
	t.Helper()
	rrs, err := b.s.Transfer(b.key)
	if err != nil {
		t.Fatal(err)
	}
	var out []dnstest.Rec
	for _, rr := range rrs {
		h := rr.Header()
		out = append(out, dnstest.Rec{Name: strings.TrimSuffix(h.Name, "."), Type: dns.TypeToString[h.Rrtype],
			Content: strings.TrimSpace(strings.TrimPrefix(rr.String(), h.String()))})
	}
	return out
}
