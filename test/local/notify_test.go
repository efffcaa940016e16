package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/scenario"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// receivers is one real HTTP server on port 0 standing in for a Slack
// incoming webhook (/slack), PagerDuty's Events API v2 (/v2/enqueue) and a
// webhook receiver (/hook). It decodes each as its documentation says and
// keeps what it understood, in arrival order.
type receivers struct {
	t   *testing.T
	key []byte
	mu  sync.Mutex
	// slack: header texts; pagerduty: "action dedup_key"; webhook: event kinds.
	slack, pagerduty, webhook []string
	// hooks are the webhook's events as decoded, for the fields a test
	// checks beyond the kind (who told, which cause, when).
	hooks []hookEvent
	// changed is closed and replaced on every message received (wait).
	changed chan struct{}
}

// wait blocks until done, called under the lock with every message so
// far, returns true, or ctx ends: a test waits for a delivery, not for a
// time.
func (rc *receivers) wait(ctx context.Context, what string, done func() bool) error {
	for {
		rc.mu.Lock()
		ok := done()
		if rc.changed == nil {
			rc.changed = make(chan struct{})
		}
		c := rc.changed
		rc.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-c:
		}
	}
}

// hookEvent is the webhook's JSON as the README documents it, decoded
// without the package's own type.
type hookEvent struct {
	Event, Vantage, Cause, Active, By string
	Generation                        uint64
	At, Until                         time.Time
}

func (rc *receivers) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	defer func() {
		if rc.changed != nil {
			close(rc.changed)
			rc.changed = nil
		}
	}()
	switch r.URL.Path {
	case "/slack":
		var m struct {
			Text   string `json:"text"`
			Blocks []struct {
				Type string `json:"type"`
				Text *struct{ Type, Text string }
			} `json:"blocks"`
		}
		if err := json.Unmarshal(body, &m); err != nil || m.Text == "" || len(m.Blocks) == 0 || m.Blocks[0].Type != "header" {
			rc.t.Errorf("slack: not a Slack message: %s", body)
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		rc.slack = append(rc.slack, m.Blocks[0].Text.Text)
		_, _ = io.WriteString(w, "ok")
	case "/v2/enqueue":
		var e struct {
			RoutingKey  string `json:"routing_key"`
			EventAction string `json:"event_action"`
			DedupKey    string `json:"dedup_key"`
			Payload     *struct{ Summary, Source, Severity string }
		}
		if err := json.Unmarshal(body, &e); err != nil || e.RoutingKey != "R0UTINGKEY" ||
			(e.EventAction == "trigger" && (e.Payload == nil || e.Payload.Summary == "" || e.Payload.Source == "" || e.Payload.Severity == "")) {
			rc.t.Errorf("pagerduty: invalid event: %s", body)
			http.Error(w, `{"status":"invalid event"}`, http.StatusBadRequest)
			return
		}
		rc.pagerduty = append(rc.pagerduty, e.EventAction+" "+e.DedupKey)
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"status":"success","message":"Event processed","dedup_key":"`+e.DedupKey+`"}`)
	case "/hook":
		if !verify(rc.key, r.Header.Get("Switchyard-Signature"), body, time.Now()) {
			rc.t.Errorf("webhook: bad signature %q", r.Header.Get("Switchyard-Signature"))
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var e hookEvent
		if err := json.Unmarshal(body, &e); err != nil {
			rc.t.Errorf("webhook: not an event: %s", body)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rc.webhook = append(rc.webhook, e.Event)
		rc.hooks = append(rc.hooks, e)
	default:
		http.NotFound(w, r)
	}
}

// verify checks a Switchyard-Signature as a receiver would, with HMAC
// written out from SHA-256 (RFC 2104) rather than crypto/hmac, and a
// 5-minute tolerance on t.
func verify(key []byte, header string, body []byte, now time.Time) bool {
	var ts, v1 string
	for _, kv := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(kv, "=")
		if k == "t" {
			ts = v
		} else if k == "v1" {
			v1 = v
		}
	}
	t, err := time.Parse(time.RFC3339, "1970-01-01T00:00:00Z")
	if err != nil || ts == "" {
		return false
	}
	var secs int64
	for _, c := range ts {
		if c < '0' || c > '9' {
			return false
		}
		secs = secs*10 + int64(c-'0')
	}
	if d := now.Sub(t.Add(time.Duration(secs) * time.Second)); d > 5*time.Minute || d < -5*time.Minute {
		return false
	}
	const block = 64
	k := make([]byte, block)
	copy(k, key) // keys here are shorter than a block
	in, out := make([]byte, block), make([]byte, block)
	for i := range k {
		in[i], out[i] = k[i]^0x36, k[i]^0x5c
	}
	inner := sha256.Sum256(append(in, []byte(ts+"."+string(body))...))
	outer := sha256.Sum256(append(out, inner[:]...))
	return v1 == hex.EncodeToString(outer[:])
}

// TestNotifyOncePerSwitch plays failback-auto with the five vantage points
// of the default world, all seeing the outage at once and racing to
// switch, each configured with the same three receivers. Every receiver
// must get exactly one message per committed switch, counted against the
// generation in the state TXT (every write adds one), not against the
// vantage points' own events.
func TestNotifyOncePerSwitch(t *testing.T) {
	if testing.Short() {
		t.Skip("a scenario run; skipped with -short")
	}
	rc := &receivers{t: t, key: []byte("webhook signing key, at least 32 bytes long")}
	srv := httptest.NewServer(http.HandlerFunc(rc.serve))
	defer srv.Close()

	sc := scenarioNamed(t, "failback-auto")
	o := world.Options{
		Interval:            500 * time.Millisecond,
		Notify:              "slack:" + srv.URL + "/slack,pagerduty:R0UTINGKEY,webhook:" + srv.URL + "/hook",
		NotifyWebhookSecret: string(rc.key),
		PagerDutyURL:        srv.URL + "/v2/enqueue",
		// Notifications are the subject here: a client-path handshake that
		// misses the 300 ms probe timeout under -race would refuse the
		// switch (a standby defect, which has its own scenario).
		ClientPath: "off",
	}
	sc.Configure(&o)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rec := scenario.NewRecorder(func(e world.Event) {
		if e.Kind != "round" {
			t.Logf("%s %s %s %s %s", e.At.Format("15:04:05.000"), e.Vantage, e.Kind, e.To, e.Reason)
		}
	})
	o.Events = rec.Record
	w, err := world.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	st := &scenario.Stage{W: w, R: rec}
	if err := st.Steady(ctx); err != nil {
		w.Close()
		t.Fatal(err)
	}
	if err := sc.Play(ctx, st); err != nil {
		w.Close()
		t.Fatal(err)
	}
	// The scenario ends when DNS answers the primary, which can be before
	// the writer has read its write back: wait until every vantage point
	// finished a round that read generation 2.
	if err := rec.WaitFor(ctx, 0, "a round at generation 2 from every vantage point", func(evs []world.Event) bool {
		seen := map[string]bool{}
		for _, e := range evs {
			if e.Kind == vantage.EventRound && e.Round.Record != nil && e.Round.Record.State.Gen >= 2 {
				seen[e.Vantage] = true
			}
		}
		return len(seen) == len(w.Nodes)
	}); err != nil {
		w.Close()
		t.Fatal(err)
	}
	final := stateOf(t, w)
	w.Close() // delivers what is queued

	if final.Gen != 2 || final.Active != state.Primary {
		t.Fatalf("state after the scenario: %+v, want generation 2 (out and back) on the primary", final)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	want := []string{"switched", "failed_back"}
	if strings.Join(rc.webhook, ",") != strings.Join(want, ",") {
		t.Errorf("webhook got %q, want %q", rc.webhook, want)
	}
	if len(rc.slack) != 2 || !strings.Contains(rc.slack[0], "failed over to the standby") || !strings.Contains(rc.slack[1], "back on the primary") {
		t.Errorf("slack got %q, want one failover and one failback", rc.slack)
	}
	key := "switchyard:" + world.Record
	if wantPD := []string{"trigger " + key, "resolve " + key}; strings.Join(rc.pagerduty, ",") != strings.Join(wantPD, ",") {
		t.Errorf("pagerduty got %q, want %q", rc.pagerduty, wantPD)
	}
}

func scenarioNamed(t *testing.T, name string) scenario.Scenario {
	for _, sc := range scenario.All {
		if sc.Name == name {
			return sc
		}
	}
	t.Fatalf("no scenario %s", name)
	return scenario.Scenario{}
}

// stateOf reads the state TXT straight from the Cloudflare-compatible store.
func stateOf(t *testing.T, w *world.World) state.State {
	for _, r := range w.CF.Records() {
		if r.Name == state.RecordName(world.Record) && r.Type == "TXT" {
			s, err := state.Parse(r.Content)
			if err != nil {
				t.Fatalf("state TXT %q: %v", r.Content, err)
			}
			return s
		}
	}
	t.Fatal("no state TXT")
	return state.State{}
}
