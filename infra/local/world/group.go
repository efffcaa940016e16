package world

import (
	"context"
	"fmt"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/dnsanswer"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/authdns"
)

// GroupRecords are switched with Record as one failover group when
// Options.Group is set (SWITCHYARD_GROUP): a CNAME at another name and an
// A record, the way a site's img. and a bare address often move with
// assets. They point at the same origins as Record.
var GroupRecords = []dns.Member{
	{Name: "img." + Zone, Type: "CNAME", Primary: PrimaryTarget, Standby: StandbyTarget},
	{Name: "cdn." + Zone, Type: "A", Primary: "127.0.0.1", Standby: "127.0.0.2"},
}

// groupSetup is the group's records at the start, on the primary.
func (w *World) groupSetup() []authdns.Record {
	if !w.opts.Group {
		return nil
	}
	var out []authdns.Record
	for _, m := range GroupRecords {
		out = append(out, authdns.Record{Name: m.Name, Type: m.Type, Content: m.Primary, TTL: 60})
	}
	return out
}

// group is SWITCHYARD_GROUP of every vantage point: GroupRecords with
// Options.Group, else none.
func (w *World) group() []dns.Member {
	if !w.opts.Group {
		return nil
	}
	return GroupRecords
}

// GroupAnswers asks the world's authoritative DNS server, as dig would,
// for every record of the failover group (none without Options.Group) and
// returns the ones that do not answer side's target, described.
func (w *World) GroupAnswers(ctx context.Context, side state.Side) ([]string, error) {
	var wrong []string
	for _, m := range w.group() {
		ans, err := dnsanswer.Query(ctx, w.DNSAddr(), m.Name, m.Type)
		if err != nil {
			return nil, err
		}
		if !dns.SameTarget(ans, m.Target(side)) {
			wrong = append(wrong, fmt.Sprintf("%s answers %q, want the %s's %s", m, ans, side, m.Target(side)))
		}
	}
	return wrong, nil
}
