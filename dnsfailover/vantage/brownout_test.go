package vantage_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
)

// TestOwnVoteSurvivesASlowDNSAPI: every DNS API read takes longer than
// the quorum's MaxAge. The vantage point's own vote must still count:
// with one peer silent, the switch needs it (own + 2 peers = quorum 3).
func TestOwnVoteSurvivesASlowDNSAPI(t *testing.T) {
	const maxAge = 600 * time.Millisecond
	h := newHarnessWith(t, manual, false, nil, func(o *vantage.Options) { o.Rule.MaxAge = maxAge })
	h.primary.down.Store(true)
	h.nodes[2].srv.Close() // aws:eu-west-1 abstains
	h.rounds(t, h.nodes[0], 1)
	// The suspicious round's fresh read is three API requests, each held
	// past MaxAge: a vote stamped before them is stale by the verdict.
	h.cf.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultDelay, Hold: maxAge, Match: cloudflareapi.Reads})
	r := h.rounds(t, h.nodes[0], 1)
	if !r.Switched {
		t.Fatalf("round = %+v (verdict %+v), want a switch with the own vote counted", r.Decision, r.Verdict)
	}
	if r.Verdict.Down != 3 || len(r.Verdict.Ignored) != 0 {
		t.Errorf("verdict down=%d ignored=%v, want 3 and none ignored", r.Verdict.Down, r.Verdict.Ignored)
	}
}

// TestFailedWriteRetriesNextRoundAndFollowsTheAPIBack: after a failed
// write the next round tries again; after the second the vantage point
// backs off, and when the API that had stopped answering answers again,
// that round switches without waiting out the backoff.
func TestFailedWriteRetriesNextRoundAndFollowsTheAPIBack(t *testing.T) {
	h := newHarness(t, manual, false)
	h.primary.down.Store(true)
	n := h.nodes[0]
	batches := func() int {
		c := 0
		for _, call := range h.cf.Calls() {
			if call.Method == http.MethodPost && strings.HasSuffix(call.Path, "/batch") {
				c++
			}
		}
		return c
	}
	// 400: refused at once, not retried by the provider.
	h.cf.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: http.StatusBadRequest, Match: cloudflareapi.Batches})
	h.rounds(t, n, 2)
	if got := batches(); got != 1 {
		t.Fatalf("%d batches after FAIL_AFTER rounds, want 1 failed write", got)
	}
	r := h.rounds(t, n, 1)
	if got := batches(); got != 2 || !strings.Contains(r.Error, "next attempt in") {
		t.Fatalf("%d batches, round error %q: want the next round to try again and then back off", got, r.Error)
	}
	r = h.rounds(t, n, 1)
	if got := batches(); got != 2 || r.Decision.Action != failover.Hold || !strings.Contains(r.Decision.Reason, "2 DNS write(s) failed") {
		t.Fatalf("%d batches, decision %+v: want a hold while backing off", got, r.Decision)
	}

	// The API stops answering reads too, then comes back whole.
	h.cf.ClearFaults()
	h.cf.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: http.StatusForbidden, Match: cloudflareapi.Reads})
	if r = h.rounds(t, n, 1); r.Error == "" {
		t.Fatalf("round %+v, want a failed read", r.Decision)
	}
	h.cf.ClearFaults()
	r = h.rounds(t, n, 1)
	if !r.Switched || r.Active != state.Standby {
		t.Fatalf("round = %+v (error %q): the API answers again, want the switch now", r.Decision, r.Error)
	}
}
