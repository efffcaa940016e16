// Package local tests the local world end to end: every scenario against the
// real code paths, and the `infra/local` program as a user runs it.
package local

import (
	"context"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/infra/local/nameserver"
	"github.com/switchyard-dns/switchyard/infra/local/nameserver/nameservertest"
	"github.com/switchyard-dns/switchyard/infra/local/scenario"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// TestScenarios plays every scenario; each checks its own expectations
// (switch on a real outage, no switch on a single vantage's fault, damped
// flapping) and fails saying which did not hold.
func TestScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("scenarios take about a minute; skipped with -short")
	}
	for _, sc := range scenario.All {
		t.Run(sc.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			rec := scenario.NewRecorder(func(e world.Event) {
				if e.Kind != "round" {
					t.Logf("%s %s %s %s %s", e.At.Format("15:04:05.000"), e.Vantage, e.Kind, e.To, e.Reason)
				}
			})
			out := scenario.Play(ctx, sc, world.Options{Interval: 500 * time.Millisecond}, rec)
			if out.Err != nil {
				t.Fatal(out.Err)
			}
		})
	}
}

// TestPrimaryOutageOnEveryDNSProvider plays primary-outage with the vantage
// points writing each DNS provider: the Route 53-compatible service, and a
// real BIND and Knot over RFC 2136, which dig-style answers then come from;
// two providers at once; and primary-outage-group (several records, one
// change batch, one UPDATE) on Route 53 and BIND.
func TestPrimaryOutageOnEveryDNSProvider(t *testing.T) {
	if testing.Short() {
		t.Skip("scenarios take seconds each; skipped with -short")
	}
	const outage, group = "primary-outage", "primary-outage-group"
	for _, tc := range []struct {
		name, scenario string
		o              world.Options
	}{
		{"route53", outage, world.Options{DNS: world.DNSRoute53}},
		{"rfc2136 bind", outage, world.Options{DNS: world.DNSRFC2136, NameServer: nameserver.BIND}},
		{"rfc2136 knot", outage, world.Options{DNS: world.DNSRFC2136, NameServer: nameserver.Knot}},
		// Two providers at once: the switch lands on both, and the answer
		// counts only once both name servers serve the standby.
		{"cloudflare and rfc2136 bind", outage, world.Options{DNS: world.DNSCloudflare + "," + world.DNSRFC2136, NameServer: nameserver.BIND}},
		{"route53 and cloudflare", outage, world.Options{DNS: world.DNSRoute53 + "," + world.DNSCloudflare}},
		{"group on route53", group, world.Options{DNS: world.DNSRoute53}},
		{"group on rfc2136 bind", group, world.Options{DNS: world.DNSRFC2136, NameServer: nameserver.BIND}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.o.NameServer != "" {
				nameservertest.Need(t, tc.o.NameServer)
			}
			sc, err := scenario.Find(tc.scenario)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			rec := scenario.NewRecorder(func(e world.Event) {
				if e.Kind != "round" {
					t.Logf("%s %s %s %s %s", e.At.Format("15:04:05.000"), e.Vantage, e.Kind, e.To, e.Reason)
				}
			})
			tc.o.Interval = 500 * time.Millisecond
			if out := scenario.Play(ctx, sc, tc.o, rec); out.Err != nil {
				t.Fatal(out.Err)
			}
		})
	}
}
