package vantage_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/cloudflare"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
)

// provider is a fresh client of the harness's zone.
func (h *harness) provider(t *testing.T) *cloudflare.Provider {
	t.Helper()
	p, err := cloudflare.New(cloudflare.Options{APIURL: h.apiURL, ZoneID: h.cf.ZoneID(), Token: token, Record: record, Type: "CNAME", TTL: 60})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// late is a dns.Provider set once the harness has started its zone.
type late struct{ dns.Provider }

// The measured bug (issue 10): an operator moved the record back to the
// primary, the primary failed 8 s later, and every vantage point trusted
// its cached "on the standby, failback manual" read until the DNS cache's
// minute ran out: failover came 53 s late. A vantage point whose own check
// fails must read afresh before it decides there is nothing to do.
func TestStaleCacheNeverHidesAnOutage(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
	onStandby := state.State{Active: state.Standby, Gen: 1, By: "aws:us-east-1", Reason: "4/4 down"}

	// Each vantage point caches for a minute on the test's clock, which
	// only the test moves.
	zone := &late{}
	h := newHarnessWith(t, manual, false, []string{standby}, func(o *vantage.Options) {
		o.DNS = dns.NewCached(zone, time.Minute, clock)
	})
	zone.Provider = h.provider(t)
	h.cf.Add(cloudflareapi.Record{Name: state.RecordName(record), Type: "TXT", Content: cloudflare.QuoteTXT(onStandby.Format()), TTL: 60})

	// Every vantage point reads and caches "on the standby, gen 1".
	for _, n := range h.nodes {
		if r := h.rounds(t, n, 1); r.Active != state.Standby || r.Error != "" {
			t.Fatalf("%s: round = %+v, want a quiet round on the standby", n.v.ID(), r)
		}
	}

	// The operator moves traffic back to the primary and hands control
	// back to automation (failover primary, then failover auto).
	back := onStandby.Next(state.Primary, "manual:ops", "recovered", false, clock())
	if _, err := h.provider(t).Write(context.Background(), dns.Change{Target: primary, State: back}); err != nil {
		t.Fatal(err)
	}

	// 8 s later the primary fails again, well within the cache's minute.
	now.Add(int64(8 * time.Second))
	h.primary.down.Store(true)
	switched := false
	for round := range manual.FailAfter {
		for _, n := range h.nodes {
			now.Add(int64(time.Second))
			if r := n.v.RunRound(context.Background()); r.Switched {
				switched = true
			}
		}
		if switched && round < manual.FailAfter-1 {
			t.Fatalf("switched after %d rounds, before FAIL_AFTER", round+1)
		}
	}
	content, txt := h.target(t)
	if !switched || content != standby || len(txt) != 1 {
		t.Fatalf("after FAIL_AFTER (%d) failed rounds, %s young caches: record on %s, switched %v; want failed over to the standby",
			manual.FailAfter, 8*time.Second+time.Duration(manual.FailAfter*len(h.nodes))*time.Second, content, switched)
	}
	if st, err := state.Parse(txt[0].Content); err != nil || st.Gen != 3 || st.Active != state.Standby {
		t.Fatalf("state = %+v, %v; want standby at gen 3", st, err)
	}
}
