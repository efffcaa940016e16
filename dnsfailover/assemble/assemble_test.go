package assemble

import (
	"context"
	"testing"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/infra/local/nameserver"
	"github.com/switchyard-dns/switchyard/infra/local/nameserver/nameservertest"
)

// SWITCHYARD_DNS_PROVIDER=rfc2136 wires the RFC 2136 provider from its
// variables: it reads the record from a real BIND with the key given.
func TestProviderRFC2136(t *testing.T) {
	key := nameservertest.NewKey()
	s := nameservertest.Start(t, nameserver.BIND, key, "assets.example.com. 60 IN CNAME primary.example.net.")
	p, err := Provider(config.Config{
		DNSProvider: "rfc2136", Record: "assets.example.com", RecordType: "CNAME", RecordTTL: 60,
		RFC2136Server: s.Addr, RFC2136Zone: "example.com", RFC2136TSIGKeyName: key.Name,
		RFC2136TSIGAlgorithm: key.Algorithm, RFC2136TSIGSecret: config.Secret(key.Secret),
	}, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := p.Read(context.Background())
	if err != nil || snap.Content != "primary.example.net" {
		t.Fatalf("Read = %+v, %v; want the record from BIND", snap, err)
	}
}
