package config

import (
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
	"github.com/switchyard-dns/switchyard/dnsfailover/topology"
)

// Vantages returns every configured vantage point id, this one and its
// peers, sorted. Its length is the "all configured" that quorum counts
// against: an unreachable peer still counts, it just never votes.
//
// An operator's configuration may list its own SWITCHYARD_VANTAGE among
// SWITCHYARD_PEERS (a vantage point's may not): it is counted once.
func (c Config) Vantages() []string {
	ids := c.Peers.IDs()
	if c.Vantage != "" && !slices.Contains(ids, c.Vantage) {
		ids = append(ids, c.Vantage)
	}
	sort.Strings(ids)
	return ids
}

// ProviderOf returns the provider part of a vantage id, "aws" for
// "aws:us-east-1". An id without ':' is returned whole. It does not depend
// on c; it is a method so callers find it beside the other derived values.
func (c Config) ProviderOf(id string) string { return quorum.Provider(id) }

// Providers returns the distinct providers among Vantages, sorted.
func (c Config) Providers() []string { return quorum.Providers(c.Vantages()) }

// EffectiveQuorum is the number of down votes needed to switch:
// SWITCHYARD_QUORUM, or when that is 0 a majority of all configured vantage
// points, so that no minority that is cut off can switch on its own.
func (c Config) EffectiveQuorum() int { return c.TopologySettings().Rule().Quorum }

// EffectiveMinProviders is the number of distinct providers the down votes
// must come from: SWITCHYARD_MIN_PROVIDERS, or when that is 0, 2 where two
// or more providers are configured (one provider's network trouble must
// not look like the origin being down) and 1 otherwise.
func (c Config) EffectiveMinProviders() int { return c.TopologySettings().Rule().MinProviders }

// QuorumRule is the agreement rule the configuration describes, the same
// for a vantage point's decisions and a drill's quorum round. A peer's
// observation is made on request, so it is fresh by construction; votes
// may differ from this vantage point's clock by the skew window either way.
func (c Config) QuorumRule() quorum.Rule {
	r := c.TopologySettings().Rule() // the very rule the topology is judged by
	r.MaxAge = c.ClockSkew
	return r
}

// Topology judges the configured vantage points: does the deployment
// survive losing any one provider whole, and resist any one going blind.
// It reads SWITCHYARD_VANTAGE, SWITCHYARD_PEERS, SWITCHYARD_QUORUM and
// SWITCHYARD_MIN_PROVIDERS, and is shown, never enforced: a deployment
// may knowingly accept a weak topology.
func (c Config) Topology() topology.Analysis {
	return topology.Analyze(c.TopologySettings())
}

// TopologyVerdict is Topology without the search for the smallest fix
// (topology.Judge): what a start logs, kept off the cold-start path.
func (c Config) TopologyVerdict() topology.Analysis {
	return topology.Judge(c.TopologySettings())
}

// TopologySettings are the settings Topology judges.
func (c Config) TopologySettings() topology.Settings {
	return topology.Settings{Vantages: c.Vantages(), Quorum: c.Quorum, MinProviders: c.MinProviders}
}

// TopologyIfConfigured is Topology, or nil when no vantage point is
// configured (an operator's configuration may name none): there is then
// nothing to judge, and nothing is shown.
func (c Config) TopologyIfConfigured() *topology.Analysis {
	if len(c.Vantages()) == 0 {
		return nil
	}
	a := c.Topology()
	return &a
}

// LazyTopology is TopologyIfConfigured computed when first called, then
// kept: what a status page or an operator's status shows. The search for
// the smallest fix judges thousands of nearby topologies, so a cold start
// must not pay for it before anyone asks.
func (c Config) LazyTopology() func() *topology.Analysis {
	return sync.OnceValue(c.TopologyIfConfigured)
}

// EffectiveFastInterval is the time between re-checks of a suspect primary:
// SWITCHYARD_FAST_INTERVAL, or when that is 0 a fifth of the interval. A
// fifth, as HAProxy's fastinter is usually set: at the defaults (10 s, FAIL_AFTER 3)
// a failing primary is confirmed 4 s after its first failed check instead of
// 20 s, while a blip must last 4 s (two re-checks) before it can move traffic,
// longer than a dropped connection or a retransmission takes to heal. The
// steady-state load is unchanged: re-checks follow failed checks only.
func (c Config) EffectiveFastInterval() time.Duration {
	if c.FastInterval > 0 {
		return c.FastInterval
	}
	return c.Interval / 5
}

// ShortestFailover is the shortest primary outage that can cause a
// failover: FAIL_AFTER consecutive failed checks, at least the fast interval
// apart, must all fall inside it. An outage shorter than this never does.
func (c Config) ShortestFailover() time.Duration {
	return time.Duration(max(c.FailAfter-1, 0)) * c.EffectiveFastInterval()
}

// LambdaPeriod is how often the Lambda form's schedule starts a run:
// SWITCHYARD_LAMBDA_SCHEDULE, 0 meaning a minute (template.yaml's rate).
func (c Config) LambdaPeriod() time.Duration {
	if c.LambdaSchedule > 0 {
		return c.LambdaSchedule
	}
	return time.Minute
}
