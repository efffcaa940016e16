// Package rfc2136 is the DNS provider for servers that accept dynamic
// updates (RFC 2136) signed with TSIG (RFC 8945): BIND, Knot, PowerDNS,
// and most self-run authoritative servers. It reads the switched record and
// its `_switchyard.<record>` state TXT with signed queries over TCP, and
// switches both in one UPDATE message whose prerequisites require both
// RRsets to hold exactly what was read. A server applies an UPDATE only if
// every prerequisite holds, and then all of it (RFC 2136 §3.2, §3.7), so the
// write is a real compare-and-swap and needs no claim record.
package rfc2136

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	sydns "github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// Defaults of Options.
const (
	DefaultAlgorithm  = "hmac-sha256"
	DefaultTTL        = 60
	DefaultTimeout    = 5 * time.Second
	DefaultMaxRetries = 3
)

// Options configure a Provider.
type Options struct {
	Server string // the primary server's host:port (port 53 when left out)
	Zone   string // the zone holding Record, as the server serves it, e.g. example.com
	// KeyName, Algorithm and Secret are the TSIG key the server grants
	// update rights on the zone. Secret is base64 and never appears in an
	// error or a log line.
	KeyName   string
	Algorithm string // hmac-sha1, hmac-sha224, hmac-sha256 (default), hmac-sha384 or hmac-sha512
	Secret    string
	Record    string // the switched record, e.g. assets.example.com
	Type      string // CNAME, A or AAAA
	TTL       int    // written on the record and the TXT; 0 means DefaultTTL
	// Group is a failover group's other records, switched with Record in
	// the same UPDATE (see dns.Member); none for a single record.
	Group []sydns.Member

	Timeout    time.Duration // bounds each exchange (0: DefaultTimeout)
	MaxRetries int           // retries of SERVFAIL or no answer (0: DefaultMaxRetries; negative: never)
	// Backoff is the first wait between attempts (0: dns.DefaultBackoff);
	// it doubles per attempt.
	Backoff time.Duration
	Log     *slog.Logger // default: discard

	sleep func(context.Context, time.Duration) error // tests: waits between attempts
}

// Provider is the dns.Provider for RFC 2136: the shared dns.Registry over
// this package's zone.
type Provider struct {
	*sydns.Registry
	zone *zone
}

var _ sydns.Provider = (*Provider)(nil)

// algorithms maps the names people write (and BIND and Knot use) to miekg's.
var algorithms = map[string]string{
	"hmac-sha1":   dns.HmacSHA1,
	"hmac-sha224": dns.HmacSHA224,
	"hmac-sha256": dns.HmacSHA256,
	"hmac-sha384": dns.HmacSHA384,
	"hmac-sha512": dns.HmacSHA512,
}

// New checks o, reporting every problem at once, and returns a Provider.
// It makes no request.
func New(o Options) (*Provider, error) {
	if o.Algorithm == "" {
		o.Algorithm = DefaultAlgorithm
	}
	if o.TTL == 0 {
		o.TTL = DefaultTTL
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	o.Server = strings.TrimSpace(o.Server)
	o.Server = withPort(o.Server)
	o.Zone = canonical(o.Zone)
	o.Record = canonical(o.Record)
	o.KeyName = canonical(o.KeyName)
	o.Algorithm = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(o.Algorithm)), ".")
	o.Type = strings.ToUpper(strings.TrimSpace(o.Type))
	group, groupErr := sydns.NormalizeGroup(o.Record, o.Type, o.Group)
	o.Group = group
	for _, m := range group {
		if _, ok := dns.IsDomainName(m.Name); ok && dns.IsSubDomain(o.Zone, canonical(m.Name)) {
			continue
		}
		groupErr = errors.Join(groupErr, fmt.Errorf("group member %s is not in option Zone %q", m, strings.TrimSuffix(o.Zone, ".")))
	}
	if err := errors.Join(o.validate(), groupErr); err != nil {
		return nil, fmt.Errorf("rfc2136: %w", err)
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	retry := sydns.Retry{Max: max(o.MaxRetries, 0), Base: o.Backoff, Sleep: o.sleep, Log: log}
	z := &zone{
		server:    o.Server,
		zone:      o.Zone,
		record:    o.Record,
		txtName:   canonical(state.RecordName(o.Record)),
		typ:       dns.StringToType[o.Type],
		keyName:   o.KeyName,
		algorithm: algorithms[o.Algorithm],
		client: &dns.Client{
			Net:        "tcp",
			Timeout:    o.Timeout,
			TsigSecret: map[string]string{o.KeyName: strings.TrimSpace(o.Secret)},
		},
		retry: retry,
	}
	for _, m := range o.Group {
		z.members = append(z.members, rrsetName{name: canonical(m.Name), typ: dns.StringToType[m.Type]})
	}
	name := strings.TrimSuffix(o.Record, ".")
	return &Provider{zone: z, Registry: sydns.NewRegistry(z, sydns.Options{
		Provider: "rfc2136", Record: name, Type: o.Type, TTL: o.TTL, Group: o.Group, Retry: retry, Log: log,
	})}, nil
}

func (o Options) validate() error {
	var errs []error
	if host, port, err := net.SplitHostPort(o.Server); err != nil || host == "" || !validPort(port) {
		errs = append(errs, fmt.Errorf("option Server %q: expected host:port of the primary server, such as ns1.example.com:53", o.Server))
	}
	if _, ok := dns.IsDomainName(o.Zone); !ok || o.Zone == "." {
		errs = append(errs, fmt.Errorf("option Zone %q: expected the zone's name, such as example.com", strings.TrimSuffix(o.Zone, ".")))
	}
	if _, ok := dns.IsDomainName(o.Record); !ok || o.Record == "." || strings.ContainsAny(o.Record, " /\"\\") {
		errs = append(errs, fmt.Errorf("option Record %q: expected a DNS name such as assets.example.com", strings.TrimSuffix(o.Record, ".")))
	} else if _, ok := dns.IsDomainName(o.Zone); ok && !dns.IsSubDomain(o.Zone, o.Record) {
		errs = append(errs, fmt.Errorf("option Record %q is not in option Zone %q", strings.TrimSuffix(o.Record, "."), strings.TrimSuffix(o.Zone, ".")))
	}
	if o.Type != "CNAME" && o.Type != "A" && o.Type != "AAAA" {
		errs = append(errs, fmt.Errorf("option Type %q: expected CNAME, A or AAAA", o.Type))
	}
	if _, ok := dns.IsDomainName(o.KeyName); !ok || o.KeyName == "." {
		errs = append(errs, fmt.Errorf("option KeyName %q: expected the TSIG key's name, such as switchyard-key", strings.TrimSuffix(o.KeyName, ".")))
	}
	if _, ok := algorithms[o.Algorithm]; !ok {
		errs = append(errs, fmt.Errorf("option Algorithm %q: expected hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384 or hmac-sha512", o.Algorithm))
	}
	if o.Secret == "" {
		errs = append(errs, errors.New("option Secret is empty: expected the TSIG key's base64 secret"))
	} else if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(o.Secret)); err != nil || len(b) == 0 {
		// Said without the secret itself, which must never be printed.
		errs = append(errs, errors.New("option Secret is not base64: expected the TSIG key's secret as BIND's and Knot's configurations write it"))
	}
	if o.TTL < 1 || o.TTL > 2147483647 {
		errs = append(errs, fmt.Errorf("option TTL %d: expected 1..2147483647 seconds", o.TTL))
	}
	if o.Timeout < 0 {
		errs = append(errs, fmt.Errorf("option Timeout %s: expected a positive duration", o.Timeout))
	}
	return errors.Join(errs...)
}

// withPort adds DNS's port 53 to a server given as a bare host name or
// address.
func withPort(server string) string {
	if server == "" {
		return ""
	}
	if a, err := netip.ParseAddr(strings.Trim(server, "[]")); err == nil {
		return net.JoinHostPort(a.String(), "53")
	}
	if !strings.Contains(server, ":") {
		return net.JoinHostPort(server, "53")
	}
	return server
}

func validPort(port string) bool {
	n, err := strconv.Atoi(port)
	return err == nil && n > 0 && n < 65536
}

// canonical lower-cases name and makes it fully qualified ("" stays "").
func canonical(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return ""
	}
	return dns.Fqdn(name)
}
