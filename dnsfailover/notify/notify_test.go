package notify_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/notify"
)

var switched = notify.Event{
	Kind: notify.Switched, Record: "assets.example.com", Vantage: "aws:eu-west-1",
	At: time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC), Active: "standby", Target: "standby.example.net",
	Generation: 8, Reason: "primary down: 4/5 down (aws,gcp), standby ok 5/5", Verdict: "4/5 down (aws,gcp), standby ok 5/5",
	FaultFor: 42 * time.Second,
}

// receiver is a real HTTP server on port 0 that keeps every request body
// and answers with the statuses given in turn (the last repeats).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	bodies   [][]byte
	headers  []http.Header
	statuses []int
	got      chan struct{}
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses, got: make(chan struct{}, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, body)
		r.headers = append(r.headers, req.Header.Clone())
		status := http.StatusOK
		if len(r.statuses) > 0 {
			status = r.statuses[0]
			if len(r.statuses) > 1 {
				r.statuses = r.statuses[1:]
			}
		}
		r.mu.Unlock()
		w.WriteHeader(status)
		r.got <- struct{}{}
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() ([][]byte, []http.Header) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...), append([]http.Header(nil), r.headers...)
}

func newNotifier(t *testing.T, sinks ...notify.Sink) *notify.Notifier {
	n := notify.New(notify.Options{Sinks: sinks, Backoff: time.Millisecond, Attempts: 3, Log: slog.New(slog.DiscardHandler)})
	t.Cleanup(n.Close)
	return n
}

func flush(t *testing.T, n *notify.Notifier) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := n.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestSlack decodes the message as Slack documents incoming-webhook
// payloads: a "text" fallback and blocks of known types, a plain_text
// header of at most 150 characters, mrkdwn sections of at most 3000.
func TestSlack(t *testing.T) {
	r := newReceiver(t)
	n := newNotifier(t, &notify.Slack{URL: r.URL + "/services/T0/B0/x", HTTP: r.Client()})
	n.Notify(switched)
	flush(t, n)
	bodies, headers := r.requests()
	if len(bodies) != 1 {
		t.Fatalf("%d requests, want 1", len(bodies))
	}
	if ct := headers[0].Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var m struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
			Text *struct {
				Type  string `json:"type"`
				Text  string `json:"text"`
				Emoji bool   `json:"emoji"`
			} `json:"text"`
			Elements []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"elements"`
		} `json:"blocks"`
	}
	dec := json.NewDecoder(strings.NewReader(string(bodies[0])))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", bodies[0], err)
	}
	if !strings.Contains(m.Text, "assets.example.com failed over to the standby") {
		t.Errorf("fallback text %q", m.Text)
	}
	if len(m.Blocks) != 3 || m.Blocks[0].Type != "header" || m.Blocks[1].Type != "section" || m.Blocks[2].Type != "context" {
		t.Fatalf("blocks %s", bodies[0])
	}
	if h := m.Blocks[0].Text; h.Type != "plain_text" || len([]rune(h.Text)) > 150 {
		t.Errorf("header %+v", h)
	}
	sec := m.Blocks[1].Text
	if sec.Type != "mrkdwn" || len(sec.Text) > 3000 {
		t.Errorf("section %+v", sec)
	}
	for _, want := range []string{"*Quorum:* 4/5 down (aws,gcp)", "*Primary failing for:* 42s", "*Reported by:* aws:eu-west-1"} {
		if !strings.Contains(sec.Text, want) {
			t.Errorf("section lacks %q:\n%s", want, sec.Text)
		}
	}
}

// TestPagerDuty decodes events as the Events API v2 documents them.
func TestPagerDuty(t *testing.T) {
	r := newReceiver(t, http.StatusAccepted)
	pd := &notify.PagerDuty{RoutingKey: "R0UTINGKEY0123456789abcdefABCDEF", URL: r.URL + "/v2/enqueue", HTTP: r.Client()}
	n := newNotifier(t, pd)
	back := switched
	back.Kind, back.Active = notify.FailedBack, "primary"
	parity := switched
	parity.Kind = notify.ParityFailed
	n.Notify(switched)
	n.Notify(parity) // not an incident: not sent
	n.Notify(back)
	flush(t, n)
	bodies, _ := r.requests()
	if len(bodies) != 2 {
		t.Fatalf("%d requests, want trigger and resolve", len(bodies))
	}
	type event struct {
		RoutingKey  string `json:"routing_key"`
		EventAction string `json:"event_action"`
		DedupKey    string `json:"dedup_key"`
		Payload     *struct {
			Summary       string            `json:"summary"`
			Source        string            `json:"source"`
			Severity      string            `json:"severity"`
			Timestamp     string            `json:"timestamp"`
			Component     string            `json:"component"`
			Group         string            `json:"group"`
			Class         string            `json:"class"`
			CustomDetails map[string]string `json:"custom_details"`
		} `json:"payload"`
	}
	var got []event
	for _, b := range bodies {
		var e event
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
		got = append(got, e)
	}
	tr, re := got[0], got[1]
	if tr.EventAction != "trigger" || re.EventAction != "resolve" {
		t.Fatalf("actions %q, %q", tr.EventAction, re.EventAction)
	}
	if tr.DedupKey == "" || tr.DedupKey != re.DedupKey || tr.RoutingKey != pd.RoutingKey {
		t.Errorf("keys: %+v / %+v", tr, re)
	}
	p := tr.Payload
	if p == nil || p.Summary == "" || len(p.Summary) > 1024 || p.Source != "aws:eu-west-1" {
		t.Fatalf("payload %+v", p)
	}
	switch p.Severity {
	case "critical", "error", "warning", "info":
	default:
		t.Errorf("severity %q", p.Severity)
	}
	if _, err := time.Parse(time.RFC3339, p.Timestamp); err != nil {
		t.Errorf("timestamp: %v", err)
	}
	if p.CustomDetails["quorum"] == "" {
		t.Errorf("details %v", p.CustomDetails)
	}
}

// TestWebhookSignature verifies the signature with an HMAC built here from
// SHA-256 alone (RFC 2104), not with crypto/hmac as the sender is.
func TestWebhookSignature(t *testing.T) {
	key := []byte("a shared webhook signing key of 32+ bytes")
	r := newReceiver(t)
	now := time.Unix(1_795_000_000, 0)
	n := newNotifier(t, &notify.Webhook{URL: r.URL, Key: key, HTTP: r.Client(), Now: func() time.Time { return now }})
	n.Notify(switched)
	flush(t, n)
	bodies, headers := r.requests()
	if len(bodies) != 1 {
		t.Fatalf("%d requests", len(bodies))
	}
	sig := headers[0].Get("Switchyard-Signature")
	var ts, v1 string
	for _, kv := range strings.Split(sig, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			v1 = v
		}
	}
	if ts != strconv.FormatInt(now.Unix(), 10) {
		t.Errorf("t=%q", ts)
	}
	if want := rfc2104(key, []byte(ts+"."+string(bodies[0]))); v1 != want {
		t.Errorf("v1=%s, want %s", v1, want)
	}
	if bad := rfc2104([]byte("another key"), []byte(ts+"."+string(bodies[0]))); v1 == bad {
		t.Error("signature does not depend on the key")
	}
	var e notify.Event
	if err := json.Unmarshal(bodies[0], &e); err != nil || e.Kind != notify.Switched || e.Generation != 8 {
		t.Errorf("body %s: %v", bodies[0], err)
	}
}

func rfc2104(key, msg []byte) string {
	const block = 64
	if len(key) > block {
		s := sha256.Sum256(key)
		key = s[:]
	}
	k := make([]byte, block)
	copy(k, key)
	in, out := make([]byte, block), make([]byte, block)
	for i := range k {
		in[i], out[i] = k[i]^0x36, k[i]^0x5c
	}
	inner := sha256.Sum256(append(in, msg...))
	outer := sha256.Sum256(append(out, inner[:]...))
	return hex.EncodeToString(outer[:])
}

// TestRetry: 5xx and 429 are retried with backoff, other 4xx are not, and
// a receiver that never answers is dropped after the bound, counted.
func TestRetry(t *testing.T) {
	flaky := newReceiver(t, 503, 429, 200)
	gone := newReceiver(t, 404)
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	n := newNotifier(t,
		&notify.Webhook{URL: flaky.URL, Key: []byte("k"), HTTP: &http.Client{}},
		&notify.Slack{URL: gone.URL, HTTP: &http.Client{}},
		&notify.PagerDuty{RoutingKey: "k", URL: downURL, HTTP: &http.Client{}},
	)
	n.Notify(switched)
	flush(t, n)
	st := n.Stats()
	if s := st["webhook"]; s.Sent != 1 || s.Failures != 2 || s.Dropped != 0 {
		t.Errorf("flaky webhook: %+v", s)
	}
	if s := st["slack"]; s.Sent != 0 || s.Failures != 1 || s.Dropped != 1 || !strings.Contains(s.LastError, "404") {
		t.Errorf("gone slack webhook: %+v", s)
	}
	if s := st["pagerduty"]; s.Failures != 3 || s.Dropped != 1 || strings.Contains(s.LastError, downURL) {
		t.Errorf("down pagerduty: %+v", s)
	}
}

// TestNotifyNeverBlocks: a receiver that hangs holds up neither Notify nor
// the other receivers.
func TestNotifyNeverBlocks(t *testing.T) {
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer hung.Close()
	defer close(release)
	fast := newReceiver(t)
	n := newNotifier(t, &notify.Slack{URL: hung.URL, HTTP: &http.Client{}}, &notify.Slack{URL: fast.URL, HTTP: &http.Client{}})
	for range 3 {
		n.Notify(switched) // returns at once, or the test times out
	}
	for range 3 {
		<-fast.got
	}
}

func TestParseTargets(t *testing.T) {
	ts, err := notify.ParseTargets("slack:https://hooks.slack.com/services/T/B/SECRETX, pagerduty:R0UTINGKEY,webhook:https://ops.example.com/hook")
	if err != nil || len(ts) != 3 || ts[0].Kind != "slack" || ts[1].Value != "R0UTINGKEY" {
		t.Fatalf("%v %v", ts, err)
	}
	for in, want := range map[string]string{
		"slack:ftp://hooks.slack.com/SECRETX": "part 1 (slack): want an absolute https:// URL",
		"teams:https://x/SECRETX":             `part 1: unknown kind "teams"`,
		"pagerduty:SECRETX,":                  "part 2 is empty",
		"pagerduty":                           "part 1: want kind:value",
		"webhook:SECRETX":                     "part 1 (webhook): want an absolute https:// URL",
	} {
		_, err := notify.ParseTargets(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "SECRETX") {
			t.Errorf("%q: error shows the secret: %v", in, err)
		}
	}
	if s := ts[0].String(); strings.Contains(s, "SECRETX") {
		t.Errorf("String shows the secret: %s", s)
	}
}
