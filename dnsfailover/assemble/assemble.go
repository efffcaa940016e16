// Package assemble builds a vantage point from a validated configuration:
// probes, DNS provider, peers and their client, policies, the HTTP handler,
// and the operator's manual control. It is the one place that maps
// configuration names to implementations, so every function binary (each of
// its forms), the drill and the local world wire them the same way.
package assemble

import (
	"cmp"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/cloudflare"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/multi"
	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
)

// Deps are what the environment supplies besides configuration.
type Deps struct {
	// ProbeHTTP is used for every origin check (the local world injects
	// faults through its transport). Nil: a default client.
	ProbeHTTP *http.Client
	// PeerHTTP is used for peer requests. Nil: a default client.
	PeerHTTP *http.Client
	// NotifyHTTP delivers notifications. Nil: a default client.
	NotifyHTTP *http.Client
	// DNSHTTP is used for the DNS provider's API. Nil: a default client.
	DNSHTTP *http.Client
	// AWSCredentials sign Route 53 requests. Nil: the default AWS chain
	// (the Lambda role, the environment, shared files).
	AWSCredentials aws.CredentialsProvider
	// Resolver resolves the targets for the client-path checks (the local
	// world's own DNS server). Nil: the system's.
	Resolver *net.Resolver
	Log      *slog.Logger
	Now      func() time.Time
	Events   func(vantage.Event)
	// NoRepair: with several DNS providers, reads never write a provider
	// found behind (an operator's command; the vantage points repair).
	NoRepair bool
}

// Probes builds the primary and standby checks.
func Probes(c config.Config, d Deps) (primary, standby probe.Func, err error) {
	primarySpec, standbySpec := Specs(c, d)
	if primary, err = probe.New(primarySpec); err != nil {
		return nil, nil, fmt.Errorf("SWITCHYARD_PRIMARY_CHECK: %w", err)
	}
	if standby, err = probe.New(standbySpec); err != nil {
		return nil, nil, fmt.Errorf("SWITCHYARD_STANDBY_CHECK: %w", err)
	}
	return primary, standby, nil
}

// Provider builds the configured DNS provider, uncached: one, or every
// one listed written at once (dnsfailover/dns/multi).
func Provider(c config.Config, d Deps) (dns.Provider, error) {
	names := c.DNSProviders()
	if len(names) == 1 {
		return oneProvider(names[0], c, d)
	}
	named := make([]multi.Named, 0, len(names))
	for _, name := range names {
		p, err := oneProvider(name, c, d)
		if err != nil {
			return nil, err
		}
		named = append(named, multi.Named{Name: name, Provider: p})
	}
	return multi.New(multi.Options{Providers: named, PrimaryTarget: c.PrimaryTarget, StandbyTarget: c.StandbyTarget,
		NoRepair: d.NoRepair, Log: d.Log})
}

func oneProvider(name string, c config.Config, d Deps) (dns.Provider, error) {
	build, ok := dnsProviders[name]
	if !ok {
		if _, known := providerTags[name]; known {
			return nil, fmt.Errorf("SWITCHYARD_DNS_PROVIDER: %s is not in this build (it was built with -tags %s)",
				name, providerTags[name])
		}
		return nil, fmt.Errorf("SWITCHYARD_DNS_PROVIDER: %q is not supported (expected cloudflare, route53 or rfc2136)", name)
	}
	return build(c, d)
}

// dnsProviders maps SWITCHYARD_DNS_PROVIDER to a constructor. Cloudflare is
// always built in; route53 and rfc2136 register from files that the build
// tags in providerTags leave out, for a smaller binary (see
// dnsfailover/dns/README.md for what each costs).
var dnsProviders = map[string]func(config.Config, Deps) (dns.Provider, error){
	"cloudflare": func(c config.Config, d Deps) (dns.Provider, error) {
		return cloudflare.New(cloudflare.Options{
			APIURL: c.CloudflareAPIURL, ZoneID: c.CloudflareZoneID, Token: c.CloudflareAPIToken.Reveal(),
			Record: c.Record, Type: c.RecordType, TTL: c.RecordTTL, Group: c.Group,
			HTTPClient: d.DNSHTTP, Log: d.Log,
		})
	},
}

// providerTags names the build tag that leaves each optional provider out.
var providerTags = map[string]string{"route53": "no_route53", "rfc2136": "no_rfc2136"}

// Vantage builds a whole vantage point from c.
func Vantage(c config.Config, d Deps) (*vantage.Vantage, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	primary, standby, err := Probes(c, d)
	if err != nil {
		return nil, err
	}
	primaryClient, standbyClient, err := ClientPaths(c, d)
	if err != nil {
		return nil, err
	}
	p, err := Provider(c, d)
	if err != nil {
		return nil, err
	}
	n := Notifier(c, d)
	tellTopology(c, n, d)
	return vantage.New(vantage.Options{
		PrimaryClient: primaryClient,
		StandbyClient: standbyClient,
		ID:            c.Vantage,
		Primary:       primary,
		Standby:       standby,
		PrimaryTarget: c.PrimaryTarget,
		StandbyTarget: c.StandbyTarget,
		DNS:           dns.NewCached(p, c.DNSCacheTTL, d.Now),
		Peers:         Peers(c),
		PeerClient:    PeerClient(c, c.Vantage, d),
		Rule:          c.QuorumRule(),
		Policy:        Policy(c),
		DryRun:        c.DryRun,
		// One probe interval: the first retry comes as soon as a round
		// would anyway; repeated failures back off to 16 intervals.
		WriteBackoff: c.Interval,
		FastInterval: c.EffectiveFastInterval(),
		Settle:       Settle(c),
		// Streaks count consecutive rounds; a gap of three intervals (a
		// Lambda environment left idle between scheduled runs) starts afresh.
		ForgetAfter: 3 * c.Interval,
		Log:         d.Log,
		Now:         d.Now,
		Events:      d.Events,
		Parity:      Parity(c, d),
		Notify:      n,
		Record:      c.Record,
		// Zero in a Config built in code: the variable's default.
		NotifyDNSFailures: cmp.Or(c.NotifyDNSFailures, 3),
	}), nil
}

// Policy is the failover policy of c, shared by the vantage point and the
// drill's plan so both ask the same decision.
func Policy(c config.Config) failover.Policy {
	return failover.Policy{
		FailAfter:      c.FailAfter,
		RecoverAfter:   c.RecoverAfter,
		Failback:       failover.Failback(c.Failback),
		MinDwell:       c.MinDwell,
		ParityRequired: c.ParityRequired,
	}
}

// Settle is the vantage point's one-writer wait unit (vantage.Options.Settle):
// time for the first writer's batch and read-back to show. 2 s covers a
// Cloudflare batch and its read-back; a fifth of a short interval keeps a
// scaled-down world in proportion. A vantage point that is not first by id
// among the suspects waits PEER_TIMEOUT + Settle per peer before it
// (failover.DetectionBound's usual case leaves that wait out).
func Settle(c config.Config) time.Duration {
	return min(2*time.Second, c.Interval/5)
}
