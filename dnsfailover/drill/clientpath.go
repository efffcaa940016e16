package drill

import (
	"context"
	"fmt"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
)

// The two client-path steps (dnsfailover/probe/CLIENTPATH.md): before the
// drill writes, whether the standby would serve clients at the real
// record's name; after the drill record points at the standby, whether a
// client asking for the drill record's name gets the standby, through the
// authoritative answer and a request to that name.
const (
	stepStandbyServes = "standby serves clients at the record's name"
	stepClientsGet    = "clients get the standby"
)

// clientCheck is the standby's client-path check for record via target.
func (r *run) clientCheck(record, target string) (probe.Func, error) {
	roots, err := r.c.ClientRoots()
	if err != nil {
		return nil, fmt.Errorf("SWITCHYARD_CLIENT_CA: %w", err)
	}
	_, spec := assemble.Specs(r.c, r.o.Deps)
	spec.LatencyBudget = 0 // as every round's check: see assemble.ClientPaths
	return probe.NewClientPath(probe.ClientPathSpec{
		Spec: spec, Record: record, Target: target, Side: "standby",
		Path: r.c.ClientPathCanary(r.c.StandbyCheck), Port: r.c.ClientPathPort,
		RootCAs: roots, Resolver: r.c.ClientResolverOr(r.o.Deps.Resolver),
	})
}

func (r *run) clientPathOff() bool {
	if r.c.ClientPath == "off" {
		r.skip(stepStandbyServes, "SWITCHYARD_CLIENT_PATH=off")
		return true
	}
	return false
}

// standbyServesClients runs before the drill writes anything.
func (r *run) standbyServesClients(ctx context.Context) {
	if r.clientPathOff() {
		return
	}
	r.step(stepStandbyServes, func() (Status, string, string) {
		f, err := r.clientCheck(r.c.Record, r.c.StandbyTarget)
		if err != nil {
			return Fail, "", err.Error()
		}
		res := f(ctx)
		if !res.OK {
			return Fail, res.Target, res.Reason
		}
		return Pass, fmt.Sprintf("%s: status %d", res.Target, res.Status), ""
	})
}

// clientsGetStandby runs once the drill record points at the standby:
// what the authoritative server answers for it, then a request to its name.
func (r *run) clientsGetStandby(ctx context.Context) {
	if r.c.ClientPath == "off" {
		r.skip(stepClientsGet, "SWITCHYARD_CLIENT_PATH=off")
		return
	}
	if r.c.DrillResolver == "" {
		r.skip(stepClientsGet, "SWITCHYARD_DRILL_RESOLVER is not set: the drill record's answer cannot be asked for")
		return
	}
	r.step(stepClientsGet, func() (Status, string, string) {
		got, err := r.query(ctx, r.c.DrillRecord)
		if err != nil {
			return Fail, "", err.Error()
		}
		if !dns.SameTarget(got, r.c.StandbyTarget) {
			return Fail, "", fmt.Sprintf("%s answers %s for %s, not the standby %s", r.c.DrillResolver, got, r.c.DrillRecord, r.c.StandbyTarget)
		}
		f, err := r.clientCheck(r.c.DrillRecord, got)
		if err != nil {
			return Fail, "", err.Error()
		}
		res := f(ctx)
		if !res.OK {
			return Fail, res.Target, res.Reason
		}
		return Pass, fmt.Sprintf("%s → %s; %s: status %d", r.c.DrillRecord, got, res.Target, res.Status), ""
	})
}
