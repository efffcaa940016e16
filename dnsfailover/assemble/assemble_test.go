package assemble

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/infra/local/nameserver"
	"github.com/switchyard-dns/switchyard/infra/local/nameserver/nameservertest"
	"github.com/switchyard-dns/switchyard/infra/local/route53api"
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

// SWITCHYARD_DNS_PROVIDER=route53 wires the Route 53 provider: it reads
// the record through the unmodified SDK from the endpoint given.
func TestProviderRoute53(t *testing.T) {
	api := route53api.New(route53api.Options{AccessKey: "AKIDASSEMBLE"})
	api.Put(route53api.RecordSet{Name: "assets.example.com", Type: "CNAME", TTL: 60, Values: []string{"primary.example.net"}})
	srv := httptest.NewServer(api)
	defer srv.Close()
	p, err := Provider(config.Config{
		DNSProvider: "route53", Record: "assets.example.com", RecordType: "CNAME", RecordTTL: 60,
		Route53HostedZoneID: api.ZoneID(), Route53EndpointURL: srv.URL,
	}, Deps{AWSCredentials: credentials.NewStaticCredentialsProvider("AKIDASSEMBLE", "secret", "")})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := p.Read(context.Background())
	if err != nil || snap.Content != "primary.example.net" {
		t.Fatalf("Read = %+v, %v; want the record from the Route 53 service", snap, err)
	}
}

// SWITCHYARD_DNS_PROVIDER=route53,rfc2136 wires both, each from its own
// variables, written at once: a read reports every provider's view.
func TestProviderTwoAtOnce(t *testing.T) {
	key := nameservertest.NewKey()
	s := nameservertest.Start(t, nameserver.BIND, key, "assets.example.com. 60 IN CNAME primary.example.net.")
	api := route53api.New(route53api.Options{AccessKey: "AKIDASSEMBLE"})
	api.Put(route53api.RecordSet{Name: "assets.example.com", Type: "CNAME", TTL: 60, Values: []string{"primary.example.net"}})
	srv := httptest.NewServer(api)
	defer srv.Close()
	p, err := Provider(config.Config{
		DNSProvider: "route53,rfc2136", Record: "assets.example.com", RecordType: "CNAME", RecordTTL: 60,
		PrimaryTarget: "primary.example.net", StandbyTarget: "standby.example.net",
		Route53HostedZoneID: api.ZoneID(), Route53EndpointURL: srv.URL,
		RFC2136Server: s.Addr, RFC2136Zone: "example.com", RFC2136TSIGKeyName: key.Name,
		RFC2136TSIGAlgorithm: key.Algorithm, RFC2136TSIGSecret: config.Secret(key.Secret),
	}, Deps{AWSCredentials: credentials.NewStaticCredentialsProvider("AKIDASSEMBLE", "secret", "")})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := p.Read(context.Background())
	if err != nil || snap.Content != "primary.example.net" {
		t.Fatalf("Read = %+v, %v", snap, err)
	}
	if len(snap.Providers) != 2 || snap.Providers[0].Provider != "route53" || snap.Providers[1].Provider != "rfc2136" ||
		len(snap.Disagreeing()) != 0 {
		t.Fatalf("views = %+v, want route53 and rfc2136 agreeing", snap.Providers)
	}
}
