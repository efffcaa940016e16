package faults

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/cloudflare"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
)

// maxRequestsPerWrite bounds one Write: up to 1+DefaultMaxRetries attempts,
// each one list (record, claim and state in one call) and a batch; the
// generation claim's creation and the list before it, on a zone without
// one; and the list of the read-back.
const maxRequestsPerWrite = (1+cloudflare.DefaultMaxRetries)*2 + 2 + 1

// TestAPIFaults injects each DNS API fault into a decider's write and
// checks that the write either lands whole or not at all, is retried
// within its budget, and says why when it gives up.
func TestAPIFaults(t *testing.T) {
	const (
		ok        = "switched"
		transient = "fails, retried"
		permanent = "fails, not retried"
	)
	tests := []struct {
		name, injected string
		fault          cloudflareapi.Fault
		want           string
		batches        [2]int // least and most batch requests per write
	}{
		{"429 with Retry-After", "2 batches answered 429, Retry-After 0.05 s",
			cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: 429, RetryAfter: 50 * time.Millisecond, Match: cloudflareapi.Batches, Times: 2}, ok, [2]int{3, 3}},
		{"429 beyond the retry budget", "every batch answered 429, Retry-After 0.05 s",
			cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: 429, RetryAfter: 50 * time.Millisecond, Match: cloudflareapi.Batches}, transient, [2]int{4, 4}},
		{"5xx", "the next 2 requests answered 503",
			cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: 503, Times: 2}, ok, [2]int{1, 1}},
		{"5xx on every batch", "every batch answered 502",
			cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: 502, Match: cloudflareapi.Batches}, transient, [2]int{4, 4}},
		{"timeout", "1 batch held without an answer past the 300 ms request timeout",
			cloudflareapi.Fault{Kind: cloudflareapi.FaultHang, Match: cloudflareapi.Batches, Times: 1}, ok, [2]int{2, 2}},
		{"timeout on every batch", "every batch held without an answer",
			cloudflareapi.Fault{Kind: cloudflareapi.FaultHang, Match: cloudflareapi.Batches}, transient, [2]int{4, 4}},
		{"connection reset mid-request", "1 batch's connection closed before it ran",
			cloudflareapi.Fault{Kind: cloudflareapi.FaultReset, Match: cloudflareapi.Batches, Times: 1}, ok, [2]int{2, 2}},
		{"connection reset after commit", "every batch committed, then its connection closed unanswered",
			cloudflareapi.Fault{Kind: cloudflareapi.FaultResetAfterCommit, Match: cloudflareapi.Batches}, ok, [2]int{1, 1}},
		{"batch rejected", "the batch answered 400 (the API refuses it)",
			cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: 400, Match: cloudflareapi.Batches}, permanent, [2]int{1, 1}},
		{"reads fail", "every read answered 503",
			cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: 503, Match: cloudflareapi.Reads}, transient, [2]int{0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n := trials(t, 3)
			var switches, falseSwitches, lost, mostRequests int
			for range n {
				z := newZone(t)
				p := z.provider(t)
				before := z.readNow(t)
				z.api.Inject(tc.fault)
				startReq, startBatch := z.requests.Load(), z.batches.Load()
				_, err := p.Write(context.Background(), change(before, state.Standby, "aws:us-east-1", time.Now()))
				z.api.ClearFaults()
				requests, b := int(z.requests.Load()-startReq), int(z.batches.Load()-startBatch)
				lost += z.lost()
				after := z.check(t)
				// Counted from the zone, before any assertion: a move the
				// writer was told had failed is a switch nobody decided.
				moved := after.Gen != before.State.Gen
				switch {
				case moved && err == nil:
					switches++
				case moved:
					falseSwitches++
				}

				switch {
				case tc.want == ok && err != nil:
					t.Errorf("write failed: %v", err)
				case tc.want != ok && err == nil:
					t.Error("write succeeded, want it to fail and say so")
				case tc.want == permanent && !errors.Is(err, dns.ErrPermanent):
					t.Errorf("err = %v, want a permanent error", err)
				case tc.want == transient && errors.Is(err, dns.ErrPermanent):
					t.Errorf("err = %v, want a transient error", err)
				}
				if err != nil && strings.Contains(err.Error(), apiToken) {
					t.Error("the error holds the API token")
				}
				// Fully new after a success, fully old after a failure.
				wantSide, wantGen := state.Standby, uint64(1)
				if err != nil {
					wantSide, wantGen = state.Primary, 0
				}
				if after.Side != wantSide || after.Gen != wantGen {
					t.Errorf("after the write (err %v): %s at gen %d, want %s at gen %d", err, after.Side, after.Gen, wantSide, wantGen)
				}
				if b < tc.batches[0] || b > tc.batches[1] {
					t.Errorf("%d batch requests, want %d..%d", b, tc.batches[0], tc.batches[1])
				}
				if requests > maxRequestsPerWrite {
					t.Errorf("%d requests for one write, more than %d", requests, maxRequestsPerWrite)
				}
				mostRequests = max(mostRequests, requests)
			}
			if falseSwitches > 0 || lost > 0 {
				t.Errorf("%d records moved by writes that reported failure, %d records lost or inconsistent", falseSwitches, lost)
			}
			report(t, Row{
				Fault: "DNS API: " + tc.name, Injected: tc.injected, Trials: n,
				Switches: switches, FalseSwitches: falseSwitches, RecordsLost: lost,
				Held: fmt.Sprintf("write %s; record and state TXT fully old or fully new; ≤ %d requests per write", tc.want, mostRequests),
			})
		})
	}
}
