package config

import (
	"encoding/base64"
	"net"
	"regexp"
	"strconv"
	"strings"

	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
)

// DNSProviders is SWITCHYARD_DNS_PROVIDER as a list, in the order given:
// one provider, or several that serve the zone and are all written
// (dnsfailover/dns/multi).
func (c Config) DNSProviders() []string {
	names := strings.Split(c.DNSProvider, ",")
	for i, n := range names {
		names[i] = strings.TrimSpace(n)
	}
	return names
}

// tsigAlgorithms are the TSIG algorithms BIND, Knot and miekg/dns share
// (hmac-md5 is deprecated and left out).
var tsigAlgorithms = map[string]bool{
	"hmac-sha1": true, "hmac-sha224": true, "hmac-sha256": true, "hmac-sha384": true, "hmac-sha512": true,
}

// checkRFC2136 checks the variables of SWITCHYARD_DNS_PROVIDER=rfc2136.
// The provider checks its options again when it is built; these checks
// exist to name the variable at fault, all at once.
func (c Config) checkRFC2136(k *checker) {
	required := func(name, value string) bool {
		if value == "" {
			k.add(name, "required when SWITCHYARD_DNS_PROVIDER is rfc2136: %s", describe(name))
			return false
		}
		return true
	}
	if required("SWITCHYARD_RFC2136_SERVER", c.RFC2136Server) && !validServer(c.RFC2136Server) {
		k.add("SWITCHYARD_RFC2136_SERVER", "%q: want host:port (or a host, for port 53), e.g. ns1.example.com:53", c.RFC2136Server)
	}
	if required("SWITCHYARD_RFC2136_ZONE", c.RFC2136Zone) {
		zone := dnsName(c.RFC2136Zone)
		record := dnsName(c.Record)
		switch {
		case !validDNSName(zone):
			k.add("SWITCHYARD_RFC2136_ZONE", "%q: want a zone name such as example.com", c.RFC2136Zone)
		case record != "" && record != zone && !strings.HasSuffix(record, "."+zone):
			k.add("SWITCHYARD_RFC2136_ZONE", "%q does not hold SWITCHYARD_RECORD %q", c.RFC2136Zone, c.Record)
		}
	}
	if required("SWITCHYARD_RFC2136_TSIG_KEY_NAME", c.RFC2136TSIGKeyName) && !validDNSName(dnsName(c.RFC2136TSIGKeyName)) {
		k.add("SWITCHYARD_RFC2136_TSIG_KEY_NAME", "%q: want a DNS name such as switchyard-key", c.RFC2136TSIGKeyName)
	}
	if alg := strings.ToLower(strings.TrimSuffix(c.RFC2136TSIGAlgorithm, ".")); !tsigAlgorithms[alg] {
		k.add("SWITCHYARD_RFC2136_TSIG_ALGORITHM", "%q: want hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384 or hmac-sha512", c.RFC2136TSIGAlgorithm)
	}
	if required("SWITCHYARD_RFC2136_TSIG_SECRET", string(c.RFC2136TSIGSecret)) {
		if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(c.RFC2136TSIGSecret.Reveal())); err != nil || len(b) == 0 {
			// Said without the value, which is a secret.
			k.add("SWITCHYARD_RFC2136_TSIG_SECRET", "is not base64: want the key's secret as the server's configuration writes it")
		}
	}
}

// route53ZoneID is what Route 53 hosted zone ids look like (upper-case
// letters and digits); the local world's fits too.
var route53ZoneID = regexp.MustCompile(`^[A-Z0-9]{1,32}$`)

// checkRoute53 checks the variables of SWITCHYARD_DNS_PROVIDER=route53.
// Credentials come from the default AWS chain and are not checked here.
func (c Config) checkRoute53(k *checker) {
	id := strings.TrimPrefix(c.Route53HostedZoneID, "/hostedzone/")
	switch {
	case id == "":
		k.add("SWITCHYARD_ROUTE53_HOSTED_ZONE_ID", "required when SWITCHYARD_DNS_PROVIDER is route53: %s", describe("SWITCHYARD_ROUTE53_HOSTED_ZONE_ID"))
	case !route53ZoneID.MatchString(id):
		k.add("SWITCHYARD_ROUTE53_HOSTED_ZONE_ID", "%q: want the hosted zone id shown in the Route 53 console, e.g. Z0123456789ABCDEFGHIJ", c.Route53HostedZoneID)
	}
	if c.Route53EndpointURL != "" {
		if err := probe.CheckBaseURL(c.Route53EndpointURL); err != nil {
			k.add("SWITCHYARD_ROUTE53_ENDPOINT_URL", "%v", err)
		}
	}
}

// validServer accepts host:port, or a bare host or address (port 53).
func validServer(s string) bool {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		if strings.Contains(s, ":") {
			return net.ParseIP(strings.Trim(s, "[]")) != nil
		}
		host, port = s, "53"
	}
	n, err := strconv.Atoi(port)
	return err == nil && n > 0 && n < 65536 && host != "" && !strings.ContainsAny(host, " /")
}

// dnsName lower-cases a name and drops a final dot.
func dnsName(s string) string { return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), ".")) }

// validDNSName accepts dot-separated labels of 1 to 63 bytes of letters,
// digits, '-' and '_', 253 bytes in all.
func validDNSName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}
