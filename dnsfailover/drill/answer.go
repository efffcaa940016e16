package drill

import (
	"context"
	"fmt"
	"strings"
	"time"

	mdns "github.com/miekg/dns"
)

// dnsAnswer asks SWITCHYARD_DRILL_RESOLVER, an authoritative server of
// the zone, for the drill record until it answers target, within DNSWait.
// An authoritative server, not a recursive one: a resolver's cache would
// time the record's TTL, not the provider's propagation.
func (r *run) dnsAnswer(ctx context.Context, side, target string) {
	name := "DNS answers " + side
	if r.c.DrillResolver == "" {
		r.skip(name, "SWITCHYARD_DRILL_RESOLVER is not set: name an authoritative server of the zone to time this step")
		return
	}
	r.step(name, func() (Status, string, string) {
		wait := r.o.DNSWait
		if dl, ok := ctx.Deadline(); ok && time.Until(dl)/3 < wait {
			// Leave time to move back: under a Lambda deadline a slow
			// answer must not cost the drill record its way home.
			wait = time.Until(dl) / 3
		}
		ctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		tick := time.NewTicker(r.o.Poll)
		defer tick.Stop()
		queries := 0
		last := ""
		for {
			queries++
			got, err := r.query(ctx, r.c.DrillRecord)
			if err == nil && strings.EqualFold(got, target) {
				return Pass, fmt.Sprintf("%s answers %s (%d queries)", r.c.DrillResolver, got, queries), ""
			}
			last = got
			if err != nil {
				last = err.Error()
			}
			select {
			case <-ctx.Done():
				return Fail, "", fmt.Sprintf("%s still answers %s after %s (%d queries), want %s", r.c.DrillResolver, last, wait.Round(time.Millisecond), queries, target)
			case <-tick.C:
			}
		}
	})
}

// query returns what the resolver answers for name: the CNAME target or
// the address, per SWITCHYARD_RECORD_TYPE.
func (r *run) query(ctx context.Context, name string) (string, error) {
	qtype := map[string]uint16{"CNAME": mdns.TypeCNAME, "A": mdns.TypeA, "AAAA": mdns.TypeAAAA}[r.c.RecordType]
	m := new(mdns.Msg)
	m.SetQuestion(mdns.Fqdn(name), qtype)
	m.RecursionDesired = false
	c := &mdns.Client{Timeout: time.Second}
	in, _, err := c.ExchangeContext(ctx, m, r.c.DrillResolver)
	if err == nil && in.Truncated {
		c.Net = "tcp"
		in, _, err = c.ExchangeContext(ctx, m, r.c.DrillResolver)
	}
	if err != nil {
		return "", fmt.Errorf("query %s: %w", r.c.DrillResolver, err)
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
	return "no answer (" + mdns.RcodeToString[in.Rcode] + ")", nil
}
