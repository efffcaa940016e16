package manual_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/manual"
	"github.com/switchyard-dns/switchyard/dnsfailover/peers"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/topology"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
)

// statusServer serves GET /status with body, or status code code.
func statusServer(t *testing.T, code int, body any) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/status" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestStatus(t *testing.T) {
	at := time.Now().UTC()
	round := vantage.Round{
		Vantage: "aws:us-west-2", At: at,
		Primary: probe.Result{OK: false, Reason: "HTTP 503"}, Standby: probe.Result{OK: true},
		Active:   state.Primary,
		Decision: failover.Decision{Action: failover.Hold, Reason: "on primary, 1/3 consecutive failures"},
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	ps := []peers.Peer{
		{ID: "aws:us-west-2", URL: statusServer(t, 200, round) + "/"},
		{ID: "aws:eu-west-1", URL: statusServer(t, 200, vantage.Round{Vantage: "aws:eu-west-1"})},
		{ID: "gcp:europe-west1", URL: statusServer(t, 200, vantage.Round{Vantage: "aws:us-west-2", At: at})},
		{ID: "azure:westeurope", URL: statusServer(t, 500, "boom")},
		{ID: "aws:ap-south-1", URL: deadURL},
	}
	h := newHarness(t, harnessOptions{state: initialState, peers: ps, self: "aws:us-east-1"})
	h.primary.down.Store(true)

	rep, err := h.m.Status(ctx(t))
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if rep.Record != record || rep.Current.Target != primary || rep.Current.Side != state.Primary ||
		rep.Current.State == nil || rep.Current.State.Gen != 4 || rep.Current.State.By != "setup" || rep.Problem != "" {
		t.Errorf("record part of the report: %+v (state %+v)", rep, rep.Current.State)
	}
	if rep.Health.Primary.OK || !rep.Health.Standby.OK {
		t.Errorf("health now = %+v, want primary failing and standby ok", rep.Health)
	}
	want := map[string]string{ // id → error ("" for a round)
		"aws:us-east-1":    "no URL",
		"aws:us-west-2":    "",
		"aws:eu-west-1":    "up, no probe round yet",
		"gcp:europe-west1": `bad reply: it says it is "aws:us-west-2"`,
		"azure:westeurope": "answered HTTP 500",
		"aws:ap-south-1":   "unreachable",
	}
	if len(rep.Vantages) != len(want) {
		t.Fatalf("%d vantage rows, want %d: %+v", len(rep.Vantages), len(want), rep.Vantages)
	}
	for _, v := range rep.Vantages {
		w, ok := want[v.ID]
		switch {
		case !ok:
			t.Errorf("unexpected row %s", v.ID)
		case w == "" && (v.Round == nil || v.Round.Decision.Reason != round.Decision.Reason || v.Round.Primary.OK):
			t.Errorf("%s: %+v, want its round", v.ID, v)
		case w != "" && (v.Round != nil || !strings.HasPrefix(v.Error, w)):
			t.Errorf("%s: error %q, want one starting %q", v.ID, v.Error, w)
		}
	}

	var text strings.Builder
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"assets.example.com CNAME → primary.example.net (primary)",
		`gen 4, since 2026-11-01T00:00:00Z, by setup, pinned no, reason "initial"`,
		"FAIL: status 503", "hold: on primary, 1/3 consecutive failures", "answered HTTP 500",
	} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("status text lacks %q:\n%s", s, text.String())
		}
	}
	if strings.Contains(text.String(), token) || strings.Contains(h.logs.String(), token) {
		t.Error("the API token appears in the status or the logs")
	}
}

// The topology verdict given in Options is part of the status, as text
// (with every warning) and as JSON.
func TestStatusShowsTopology(t *testing.T) {
	a := topology.Analyze(topology.Settings{Vantages: []string{"aws:us-east-1", "aws:us-west-2", "aws:eu-west-1", "gcp:europe-west1"}})
	h := newHarness(t, harnessOptions{state: initialState, topo: &a})
	rep, err := h.m.Status(ctx(t))
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"topology: 4 vantage points on 2 providers", "does NOT survive losing aws or gcp",
		"WARNING: losing gcp whole (gcp:europe-west1) blocks every automatic failover"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("status text lacks %q:\n%s", s, text.String())
		}
	}
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"topology":{"vantages":["aws:eu-west-1"`) || !strings.Contains(string(js), `"survives_loss":false`) {
		t.Errorf("status JSON lacks the topology: %s", js)
	}
}

// TestStatusShowsTheDwell: after flapping the state carries a longer dwell,
// and status says how long automation will wait and why.
func TestStatusShowsTheDwell(t *testing.T) {
	for _, tc := range []struct{ state, want string }{
		{initialState, "dwell 10m0s (MIN_DWELL) before an automatic failback"},
		{`v=1 active=standby gen=7 since=2026-11-25T16:50:00Z by=aws:us-east-1 dwell=40m0s pinned=0 reason="primary down"`,
			"dwell 40m0s (MIN_DWELL 10m0s doubled twice after flapping, cap 1h20m0s) before an automatic failback"},
	} {
		content := primary
		if strings.Contains(tc.state, "active=standby") {
			content = standby
		}
		h := newHarness(t, harnessOptions{content: content, state: tc.state})
		rep, err := h.m.Status(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		if err := rep.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text.String(), tc.want) {
			t.Errorf("status text lacks %q:\n%s", tc.want, text.String())
		}
		if strings.Contains(tc.state, "dwell=") && (rep.Current.State == nil || rep.Current.State.Dwell != "40m0s") {
			t.Errorf("state view %+v, want dwell 40m0s", rep.Current.State)
		}
	}
}

func TestStatusNamesInconsistentRecord(t *testing.T) {
	h := newHarness(t, harnessOptions{content: standby, state: initialState})
	rep, err := h.m.Status(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Problem, "state TXT says primary") {
		t.Errorf("Problem = %q, want the disagreement named", rep.Problem)
	}
}

func TestStatusDNSRejected(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.cf.FailNext(1, http.StatusForbidden, 0)
	_, err := h.m.Status(ctx(t))
	var rejected *manual.DNSRejectedError
	if !errors.As(err, &rejected) {
		t.Fatalf("Status with the API refusing: %v (%T), want DNSRejectedError", err, err)
	}
}

func TestInvoke(t *testing.T) {
	h := newHarness(t, harnessOptions{state: initialState})
	decode := func(payload string) (manual.Request, error) {
		var r manual.Request
		return r, json.Unmarshal([]byte(payload), &r)
	}
	for _, payload := range []string{
		`{"action":"standby","dryrun":true}`,
		`{"action":"standby","force":"yes"}`,
	} {
		var input *manual.InputError
		if _, err := decode(payload); !errors.As(err, &input) {
			t.Errorf("payload %s: err = %v (%T), want InputError", payload, err, err)
		}
	}
	for _, payload := range []string{
		`{"action":"sideways"}`, `{}`, `{"action":"status","force":true}`, `{"action":"auto","force":true}`,
	} {
		req, err := decode(payload)
		if err != nil {
			t.Fatalf("payload %s: %v", payload, err)
		}
		var input *manual.InputError
		if _, err := h.m.Invoke(context.Background(), req); !errors.As(err, &input) {
			t.Errorf("payload %s: err = %v (%T), want InputError", payload, err, err)
		}
	}
	if h.batches() != 0 {
		t.Fatal("a bad payload wrote")
	}
	req, _ := decode(`{"action":"standby","reason":"drill"}`)
	res, err := h.m.Invoke(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Before.Target != primary || res.After.Target != standby || res.After.State.By != "manual:lambda" || res.After.State.Reason != "drill" {
		t.Errorf("Invoke standby = %+v", res)
	}
}

// With several DNS providers, status shows each one's view, text and JSON,
// and names the one that does not agree.
func TestStatusShowsEveryDNSProvider(t *testing.T) {
	rep := manual.Report{Record: record, Type: "CNAME", Providers: []dns.ProviderView{
		{Provider: "cloudflare", Gen: 3, Active: state.Standby, Target: standby, Agrees: true},
		{Provider: "route53", Gen: 2, Active: state.Primary, Target: primary, Error: "behind at gen 2; the vantage points repair it to gen 3"},
		{Provider: "rfc2136", Error: "rfc2136: read assets.example.com: connection refused"},
	}}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"DNS PROVIDER  GEN  ACTIVE   TARGET               AGREES",
		"cloudflare    3    standby  " + standby + "  yes",
		"route53       2    primary  " + primary + "  NO: behind at gen 2; the vantage points repair it to gen 3",
		"rfc2136       -    -        -                    NO: rfc2136: read assets.example.com: connection refused",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("status text lacks %q:\n%s", want, text.String())
		}
	}
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"providers":[{"provider":"cloudflare","gen":3,"active":"standby"`) {
		t.Errorf("status JSON lacks the providers: %s", js)
	}
}
