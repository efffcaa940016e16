package assemble

import (
	"fmt"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
)

// ClientPaths builds the client-path checks SWITCHYARD_CLIENT_PATH asks
// for; a side it leaves out is nil.
func ClientPaths(c config.Config, d Deps) (primary, standby probe.Func, err error) {
	roots, err := c.ClientRoots()
	if err != nil {
		return nil, nil, fmt.Errorf("SWITCHYARD_CLIENT_CA: %w", err)
	}
	primarySpec, standbySpec := Specs(c, d)
	build := func(side, target, check string, spec probe.Spec) (probe.Func, error) {
		// No latency budget: the client path adds a DNS resolution and a
		// fresh TLS handshake the own check does not make, and its question
		// is whether clients are served at all (certificate, Host, body).
		// Speed is the own check's to judge; a slow handshake on a loaded
		// prober must not hold traffic on a dead primary. The probe
		// timeout still bounds it.
		spec.LatencyBudget = 0
		f, err := probe.NewClientPath(probe.ClientPathSpec{
			Spec: spec, Record: c.Record, Target: target, Side: side,
			Path: c.ClientPathCanary(check), Port: c.ClientPathPort,
			RootCAs: roots, Resolver: c.ClientResolverOr(d.Resolver),
		})
		if err != nil {
			return nil, fmt.Errorf("SWITCHYARD_CLIENT_PATH (%s): %w", side, err)
		}
		return f, nil
	}
	withPrimary, withStandby := c.ClientPathSides()
	if withPrimary {
		if primary, err = build("primary", c.PrimaryTarget, c.PrimaryCheck, primarySpec); err != nil {
			return nil, nil, err
		}
	}
	if withStandby {
		if standby, err = build("standby", c.StandbyTarget, c.StandbyCheck, standbySpec); err != nil {
			return nil, nil, err
		}
	}
	return primary, standby, nil
}
