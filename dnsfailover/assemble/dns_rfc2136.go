//go:build !no_rfc2136

package assemble

import (
	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/rfc2136"
)

// RFC 2136 links miekg/dns; -tags no_rfc2136 leaves it out (unless
// something else in the binary links it).
func init() {
	dnsProviders["rfc2136"] = func(c config.Config, d Deps) (dns.Provider, error) {
		return rfc2136.New(rfc2136.Options{
			Server: c.RFC2136Server, Zone: c.RFC2136Zone,
			KeyName: c.RFC2136TSIGKeyName, Algorithm: c.RFC2136TSIGAlgorithm, Secret: c.RFC2136TSIGSecret.Reveal(),
			Record: c.Record, Type: c.RecordType, TTL: c.RecordTTL, Group: c.Group, Log: d.Log,
		})
	}
}
