package vantage_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/cloudflare"
	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/peers"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
)

const (
	record  = "assets.example.com"
	primary = "primary.example.net"
	standby = "standby.example.org"
	token   = "test-token-0123456789"
	secret  = "0123456789abcdef0123456789abcdef"
)

var ids = []string{"aws:us-east-1", "aws:us-west-2", "aws:eu-west-1", "gcp:europe-west1"}

// origin is a real HTTP origin whose health a test switches.
type origin struct {
	srv   *httptest.Server
	down  atomic.Bool
	delay atomic.Int64 // nanoseconds before each answer
}

func newOrigin(t *testing.T) *origin {
	o := &origin{}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Duration(o.delay.Load()))
		if o.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("canary"))
	}))
	t.Cleanup(o.srv.Close)
	return o
}

// node is one vantage point under test. While cut is set, its checks of the
// primary fail as if its own network were cut.
type node struct {
	v   *vantage.Vantage
	srv *httptest.Server
	cut atomic.Bool
	// failNext is how many of its next checks of the primary fail on their
	// own (a latency spike on a healthy path), one each.
	failNext atomic.Int32
}

type harness struct {
	cf      *cloudflareapi.Server
	apiURL  string
	primary *origin
	standby *origin
	nodes   []*node
	events  chan vantage.Event
}

func newHarness(t *testing.T, policy failover.Policy, dryRun bool, initial ...string) *harness {
	t.Helper()
	return newHarnessWith(t, policy, dryRun, initial, nil)
}

// newHarnessWith is newHarness with mod applied to every vantage point's options.
func newHarnessWith(t *testing.T, policy failover.Policy, dryRun bool, initial []string, mod func(*vantage.Options)) *harness {
	t.Helper()
	h := &harness{primary: newOrigin(t), standby: newOrigin(t), events: make(chan vantage.Event, 1000)}
	h.cf = cloudflareapi.New(cloudflareapi.Options{Token: token, ZoneName: "example.com"})
	content := primary
	if len(initial) > 0 {
		content = initial[0]
	}
	h.cf.Add(cloudflareapi.Record{Name: record, Type: "CNAME", Content: content, TTL: 60})
	api := httptest.NewServer(h.cf.Handler())
	t.Cleanup(api.Close)
	h.apiURL = api.URL + "/client/v4"

	for range ids {
		n := &node{}
		n.srv = httptest.NewUnstartedServer(nil)
		h.nodes = append(h.nodes, n)
	}
	for i, id := range ids {
		n := h.nodes[i]
		var ps []peers.Peer
		for j, other := range ids {
			if j != i {
				ps = append(ps, peers.Peer{ID: other, URL: "http://" + h.nodes[j].srv.Listener.Addr().String()})
			}
		}
		p, err := cloudflare.New(cloudflare.Options{
			APIURL: api.URL + "/client/v4", ZoneID: h.cf.ZoneID(), Token: token,
			Record: record, Type: "CNAME", TTL: 60,
		})
		if err != nil {
			t.Fatal(err)
		}
		check := func(url string, n *node) probe.Func {
			f, err := probe.New(probe.Spec{URL: url, Timeout: time.Second, LatencyBudget: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			return func(ctx context.Context) probe.Result {
				if n != nil && n.cut.Load() {
					return probe.Result{Target: url, Reason: "cut off", At: time.Now()}
				}
				if n != nil && n.failNext.Add(-1) >= 0 {
					return probe.Result{Target: url, Reason: "slow: 1.2s, budget 1s", At: time.Now()}
				}
				return f(ctx)
			}
		}
		o := vantage.Options{
			ID:            id,
			Primary:       check(h.primary.srv.URL, n),
			Standby:       check(h.standby.srv.URL, nil),
			PrimaryTarget: primary,
			StandbyTarget: standby,
			DNS:           dns.NewCached(p, time.Minute, nil),
			Peers:         ps,
			PeerClient:    &peers.Client{Self: id, Secret: []byte(secret), Timeout: 2 * time.Second, Skew: 30 * time.Second},
			Rule:          quorum.Rule{Vantages: ids, Quorum: 3, MinProviders: 2, MaxAge: 30 * time.Second},
			Policy:        policy,
			DryRun:        dryRun,
			Events: func(e vantage.Event) {
				if e.Kind != vantage.EventRound {
					h.events <- e
				}
			},
		}
		if mod != nil {
			mod(&o)
		}
		n.v = vantage.New(o)
		handler, err := n.v.Handler(vantage.HandlerOptions{Secrets: [][]byte{[]byte(secret)}, Skew: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		n.srv.Config.Handler = handler
		n.srv.Start()
		t.Cleanup(n.srv.Close)
	}
	return h
}

var manual = failover.Policy{FailAfter: 2, RecoverAfter: 2, Failback: failover.FailbackManual, MinDwell: time.Hour}

func (h *harness) rounds(t *testing.T, n *node, count int) vantage.Round {
	t.Helper()
	var r vantage.Round
	for range count {
		r = n.v.RunRound(context.Background())
	}
	return r
}

func (h *harness) target(t *testing.T) (string, []cloudflareapi.Record) {
	t.Helper()
	var content string
	var txt []cloudflareapi.Record
	for _, r := range h.cf.Records() {
		switch {
		case r.Name == record && r.Type == "CNAME":
			content = r.Content
		case r.Name == state.RecordName(record) && r.Type == "TXT":
			txt = append(txt, r)
		}
	}
	return content, txt
}

func (h *harness) kinds() []vantage.EventKind {
	var ks []vantage.EventKind
	for {
		select {
		case e := <-h.events:
			ks = append(ks, e.Kind)
		default:
			return ks
		}
	}
}

func TestHealthyPrimaryHolds(t *testing.T) {
	h := newHarness(t, manual, false)
	r := h.rounds(t, h.nodes[0], 5)
	if r.Decision.Action != failover.Hold || r.Switched || r.Error != "" {
		t.Fatalf("round = %+v, want a quiet hold", r.Decision)
	}
	if got, _ := h.target(t); got != primary {
		t.Errorf("record = %s, want %s", got, primary)
	}
}

func TestRealOutageSwitchesOnce(t *testing.T) {
	h := newHarness(t, manual, false)
	h.primary.down.Store(true)
	first := h.rounds(t, h.nodes[0], 1)
	if first.Decision.Action != failover.Hold {
		t.Fatalf("after one failure: %s, want hold until FAIL_AFTER", first.Decision.Action)
	}
	r := h.rounds(t, h.nodes[0], 1)
	if !r.Switched || r.Active != state.Standby {
		t.Fatalf("round = %+v (error %q), want a switch to the standby", r.Decision, r.Error)
	}
	if r.Verdict == nil || r.Verdict.Down != 4 {
		t.Errorf("verdict = %+v, want 4 down votes", r.Verdict)
	}
	content, txt := h.target(t)
	if content != standby || len(txt) != 1 {
		t.Fatalf("record = %s with %d state TXTs, want %s and one", content, len(txt), standby)
	}
	st, err := state.Parse(txt[0].Content)
	if err != nil {
		t.Fatal(err)
	}
	if st.Gen != 1 || st.Active != state.Standby || st.By != ids[0] || st.Pinned {
		t.Errorf("state = %+v, want gen 1, standby, by %s, not pinned", st, ids[0])
	}
	// A second vantage point confirming later finds the record moved and does nothing.
	r2 := h.rounds(t, h.nodes[1], 3)
	if r2.Switched || r2.Active != state.Standby {
		t.Errorf("second vantage: %+v, want it to see the standby and hold", r2.Decision)
	}
	if _, txt := h.target(t); len(txt) != 1 || !strings.Contains(txt[0].Content, "gen=1") {
		t.Errorf("state after a second vantage's rounds: %v, want still gen 1", txt)
	}
}

func TestCutOffProberIsRefused(t *testing.T) {
	h := newHarness(t, manual, false)
	h.nodes[0].cut.Store(true)
	r := h.rounds(t, h.nodes[0], 4)
	if r.Decision.Action != failover.Refuse || r.Switched {
		t.Fatalf("round = %+v, want refuse", r.Decision)
	}
	if r.Verdict.Down != 1 || r.Verdict.Up != 3 {
		t.Errorf("verdict down=%d up=%d, want 1 and 3", r.Verdict.Down, r.Verdict.Up)
	}
	if got, _ := h.target(t); got != primary {
		t.Errorf("record = %s, want it left on %s", got, primary)
	}
}

// TestOneFailedCheckBesideABlindProviderDoesNotSwitch: AWS's three vantage
// points are cut off from the primary (one provider, which the rule never
// lets switch alone) and gcp's one check fails on its own once, the moment
// it is asked. The verdict (4 down from 2 providers) rests on that single
// check, so it is asked again before anything moves, and the second answer
// refuses the switch.
func TestOneFailedCheckBesideABlindProviderDoesNotSwitch(t *testing.T) {
	h := newHarness(t, manual, false)
	for _, n := range h.nodes[:3] {
		n.cut.Store(true)
	}
	h.nodes[3].failNext.Store(1)
	r := h.rounds(t, h.nodes[0], 3)
	if r.Switched || r.Decision.Action != failover.Refuse {
		t.Fatalf("round = %+v, want the switch refused", r.Decision)
	}
	if got, _ := h.target(t); got != primary {
		t.Errorf("record = %s, want it left on %s", got, primary)
	}
	// A check that keeps failing is not a check failing on its own: the
	// confirmation switches.
	h.nodes[3].failNext.Store(2)
	r = h.rounds(t, h.nodes[0], 1)
	if !r.Switched || r.Verdict == nil || r.Verdict.Down != 4 {
		t.Fatalf("round = %+v (verdict %+v), want a switch on 4 down votes", r.Decision, r.Verdict)
	}
}

func TestUnreachablePeersAbstainNeverCountDown(t *testing.T) {
	h := newHarness(t, manual, false)
	h.primary.down.Store(true)
	for _, n := range h.nodes[1:] {
		n.srv.Close()
	}
	r := h.rounds(t, h.nodes[0], 3)
	if r.Switched || r.Decision.Action != failover.Refuse {
		t.Fatalf("round = %+v, want refuse: one vote is not a quorum", r.Decision)
	}
	if len(r.Verdict.Abstained) != 3 || r.Verdict.Down != 1 {
		t.Errorf("verdict = %+v, want 3 abstained and 1 down", r.Verdict)
	}
}

func TestHandEditedRecordIsLeftAlone(t *testing.T) {
	h := newHarness(t, manual, false, "hand-picked.example.net")
	h.primary.down.Store(true)
	r := h.rounds(t, h.nodes[0], 3)
	if r.Switched || !strings.Contains(r.Error, "neither the primary target") {
		t.Fatalf("round error %q, want a refusal to touch a hand-edited record", r.Error)
	}
	if got, _ := h.target(t); got != "hand-picked.example.net" {
		t.Errorf("record = %s, want it left as the operator set it", got)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	h := newHarness(t, manual, true)
	h.primary.down.Store(true)
	h.rounds(t, h.nodes[0], 2)
	if got, txt := h.target(t); got != primary || len(txt) != 0 {
		t.Errorf("record = %s with %d state TXTs, want untouched", got, len(txt))
	}
	found := false
	for _, k := range h.kinds() {
		found = found || k == vantage.EventDryRun
	}
	if !found {
		t.Error("no dry_run event")
	}
}

func TestSteadyStateReadsDNSAtMostOncePerCacheTTL(t *testing.T) {
	h := newHarness(t, manual, false)
	h.rounds(t, h.nodes[0], 20)
	lists := 0
	for _, c := range h.cf.Calls() {
		if c.Method == http.MethodGet {
			lists++
		}
	}
	// One read fills the cache; the record, the claim and the TXT are
	// listed in it.
	if lists > 3 {
		t.Errorf("%d GETs for 20 healthy rounds within one cache TTL, want one read", lists)
	}
}

func TestStatusCarriesTheLastRoundAndNoSecret(t *testing.T) {
	h := newHarness(t, manual, false)
	h.rounds(t, h.nodes[0], 1)
	resp, err := http.Get(h.nodes[0].srv.URL + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(body)
	if strings.Contains(string(raw), secret) || strings.Contains(string(raw), token) {
		t.Fatal("status leaks a secret")
	}
	if !strings.Contains(string(raw), ids[0]) {
		t.Errorf("status %s does not name the vantage", raw)
	}
}

func TestObserveRejectsUnsignedRequests(t *testing.T) {
	h := newHarness(t, manual, false)
	resp, err := http.Post(h.nodes[0].srv.URL+"/observe", "application/json", strings.NewReader(`{"from":"aws:us-west-2"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned /observe: %d, want 401", resp.StatusCode)
	}
	resp, err = http.Get(h.nodes[0].srv.URL + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var status vantage.Round
	if err := json.NewDecoder(resp.Body).Decode(&status); err != nil {
		t.Fatal(err)
	}
	if status.RejectedPeerRequests["unsigned"] != 1 {
		t.Errorf("/status rejected_peer_requests = %v, want unsigned: 1", status.RejectedPeerRequests)
	}
}

func TestPinnedRecordIsNotMoved(t *testing.T) {
	h := newHarness(t, manual, false)
	pinned := state.State{Active: state.Primary, Gen: 3, By: "manual:alice", Pinned: true, Reason: "maintenance"}
	h.cf.Add(cloudflareapi.Record{Name: state.RecordName(record), Type: "TXT", Content: cloudflare.QuoteTXT(pinned.Format()), TTL: 60})
	h.primary.down.Store(true)
	r := h.rounds(t, h.nodes[0], 4)
	if r.Switched || r.Decision.Action != failover.Hold || !strings.Contains(r.Decision.Reason, "pinned") {
		t.Fatalf("round = %+v, want a hold because the record is pinned", r.Decision)
	}
	if got, _ := h.target(t); got != primary {
		t.Errorf("record = %s, want %s", got, primary)
	}
}

// A vantage point whose last round is long past (a Lambda environment left
// idle) starts its streak afresh: one new failure is not FAIL_AFTER of them.
func TestStaleStreaksAreForgotten(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
	h := newHarnessWith(t, manual, false, nil, func(o *vantage.Options) {
		o.Now, o.ForgetAfter = clock, 30*time.Second
	})
	h.primary.down.Store(true)
	h.rounds(t, h.nodes[0], 1)
	now.Add(int64(10 * time.Minute))
	r := h.rounds(t, h.nodes[0], 1)
	if r.Decision.Action != failover.Hold || !strings.Contains(r.Decision.Reason, "1/2") {
		t.Fatalf("after a long gap: %s (%s), want hold at 1/2 failures", r.Decision.Action, r.Decision.Reason)
	}
	now.Add(int64(10 * time.Second))
	if r := h.rounds(t, h.nodes[0], 1); r.Decision.Action == failover.Hold {
		t.Fatalf("two consecutive failures within the window: %s (%s), want the streak to count", r.Decision.Action, r.Decision.Reason)
	}
}
