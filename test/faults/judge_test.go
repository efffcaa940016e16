package faults

import (
	"net/http"
	"strings"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
	"github.com/switchyard-dns/switchyard/infra/local/world"
	"github.com/switchyard-dns/switchyard/test/campaign/invariant"
)

// The figures of every row are counted, never set: records lost from an
// invariant checker fed every committed write of the API, false switches
// from the events judged against what the vantage points observed.

// watch returns an invariant checker fed the zone of api as it is now and
// after every committed write from now on (the API's OnChange hook).
func watch(api *cloudflareapi.Server) *invariant.Checker {
	rs := api.Records()
	c := invariant.New(invariant.Zone{Record: world.Record, PrimaryTarget: world.PrimaryTarget, StandbyTarget: world.StandbyTarget,
		ClaimFromStart: hasClaim(rs)})
	c.Check(rs)
	api.OnChange(func(rs []cloudflareapi.Record) { c.Check(rs) })
	return c
}

// hasClaim: the claim rule follows the zone's setup (a claim created
// before the first switch, or none until it).
func hasClaim(rs []cloudflareapi.Record) bool {
	for _, r := range rs {
		if strings.HasPrefix(r.Name, "_switchyard-claim.") {
			return true
		}
	}
	return false
}

// recordsLost is the Records lost figure, once the writes have ended:
// invariant violations (records missing or duplicated, record and state
// disagreeing, generations going back, deletes other than the claim swap,
// a stale claim left behind) plus DELETE requests.
func recordsLost(c *invariant.Checker, api *cloudflareapi.Server) int {
	c.Final(api.Records())
	n := c.Total()
	for _, call := range api.Calls() {
		if call.Method == http.MethodDelete {
			n++
		}
	}
	return n
}

// falseSwitches counts the switches that the vantage points' own checks
// did not justify: a switch to the standby while at least a majority of
// them last saw the primary healthy, or back to the primary while at least
// a majority last saw it failing. Only checks of the last three intervals
// count (a dead vantage point's last word is not evidence). This judges
// observations, not the quorum code's arithmetic: with a majority seeing
// the primary healthy, no configured rule may move traffic off it.
func falseSwitches(evs []world.Event, vantages int, interval time.Duration) int {
	type seen struct {
		ok bool
		at time.Time
	}
	last := map[string]seen{}
	majority := vantages/2 + 1
	n := 0
	for _, e := range evs {
		switch e.Kind {
		case vantage.EventRound:
			if e.Round != nil {
				last[e.Vantage] = seen{ok: e.Round.Primary.OK, at: e.At}
			}
		case vantage.EventSwitched:
			healthy, failing := 0, 0
			for _, s := range last {
				if e.At.Sub(s.at) > 3*interval {
					continue
				}
				if s.ok {
					healthy++
				} else {
					failing++
				}
			}
			if e.To == state.Standby && healthy >= majority || e.To == state.Primary && failing >= majority {
				n++
			}
		}
	}
	return n
}
