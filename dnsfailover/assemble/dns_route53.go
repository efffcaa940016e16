//go:build !no_route53

package assemble

import (
	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/route53"
)

// Route 53 links the aws-sdk-go-v2 route53 client; -tags no_route53 leaves
// it out.
func init() {
	dnsProviders["route53"] = func(c config.Config, d Deps) (dns.Provider, error) {
		return route53.New(route53.Options{
			HostedZoneID: c.Route53HostedZoneID, Endpoint: c.Route53EndpointURL,
			Record: c.Record, Type: c.RecordType, TTL: c.RecordTTL, Group: c.Group,
			HTTPClient: d.DNSHTTP, Credentials: d.AWSCredentials, Log: d.Log,
		})
	}
}
