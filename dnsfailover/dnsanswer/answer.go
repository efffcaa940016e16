// Package dnsanswer asks an authoritative DNS server what it answers for a
// name, the way `dig @server name` would: the moment that counts for users
// is when that answer changes, not when the provider's API accepted a write.
package dnsanswer

import (
	"context"
	"fmt"
	"strings"
	"time"

	mdns "github.com/miekg/dns"
)

// Query asks server (host:port) for name's recordType (CNAME, A or AAAA)
// without recursion, over UDP with a TCP retry when the answer was
// truncated, and returns the CNAME target or the address. A name with no
// such record answers "" and no error.
func Query(ctx context.Context, server, name, recordType string) (string, error) {
	qtype, ok := map[string]uint16{"CNAME": mdns.TypeCNAME, "A": mdns.TypeA, "AAAA": mdns.TypeAAAA}[recordType]
	if !ok {
		return "", fmt.Errorf("dnsanswer: record type %q: expected CNAME, A or AAAA", recordType)
	}
	m := new(mdns.Msg)
	m.SetQuestion(mdns.Fqdn(name), qtype)
	m.RecursionDesired = false
	c := &mdns.Client{Timeout: time.Second}
	in, _, err := c.ExchangeContext(ctx, m, server)
	if err == nil && in.Truncated {
		c.Net = "tcp"
		in, _, err = c.ExchangeContext(ctx, m, server)
	}
	if err != nil {
		return "", fmt.Errorf("dnsanswer: query %s for %s: %w", server, name, err)
	}
	for _, rr := range in.Answer {
		switch rr := rr.(type) {
		case *mdns.CNAME:
			return strings.TrimSuffix(rr.Target, "."), nil
		case *mdns.A:
			return rr.A.String(), nil
		case *mdns.AAAA:
			return rr.AAAA.String(), nil
		}
	}
	if in.Rcode != mdns.RcodeSuccess && in.Rcode != mdns.RcodeNameError {
		return "", fmt.Errorf("dnsanswer: %s answers %s for %s", server, mdns.RcodeToString[in.Rcode], name)
	}
	return "", nil
}
