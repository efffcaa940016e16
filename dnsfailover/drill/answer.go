package drill

import (
	"context"
	"fmt"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dnsanswer"
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
			if err == nil && dns.SameTarget(got, target) {
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
// the address, per SWITCHYARD_RECORD_TYPE ("no answer" when it has none).
func (r *run) query(ctx context.Context, name string) (string, error) {
	got, err := dnsanswer.Query(ctx, r.c.DrillResolver, name, r.c.RecordType)
	if err == nil && got == "" {
		got = "no answer"
	}
	return got, err
}
