package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/drill"
	"github.com/switchyard-dns/switchyard/dnsfailover/notify"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// drillWorld starts a local world and sets the operator's environment for
// it, peer secret included (the drill's quorum round signs its requests).
func drillWorld(t *testing.T) *world.World {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w, err := world.Start(ctx, world.Options{ParityKeys: []string{"img/logo.png"}})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); w.Close() })
	cfg := w.OperatorConfig()
	cfg.Secret = config.Secret(w.Secret())
	path := filepath.Join(t.TempDir(), "env")
	if err := w.WriteEnvFile(path, cfg); err != nil {
		t.Fatal(err)
	}
	vars, err := config.ReadEnvFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range vars {
		t.Setenv(k, v)
	}
	return w
}

func TestDrillCommand(t *testing.T) {
	w := drillWorld(t)
	html := filepath.Join(t.TempDir(), "drill.html")
	var stdout, stderr bytes.Buffer
	code := runCLI([]string{"drill", "--json", "--html", html, "--by", "ci"}, strings.NewReader(""), &stdout, &stderr)
	if code != exitDone {
		t.Fatalf("exit %d, stderr:\n%s\nstdout:\n%s", code, stderr.String(), stdout.String())
	}
	var rep drill.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, stdout.String())
	}
	// 14: the 12 of a drill and the two client-path steps (standby serves clients at the record's name, clients get the standby).
	if !rep.Passed || rep.Record != world.DrillRecord || len(rep.Steps) != 14 {
		t.Errorf("report: passed %v on %s with %d steps", rep.Passed, rep.Record, len(rep.Steps))
	}
	page, err := os.ReadFile(html)
	if err != nil || !bytes.Contains(page, []byte("<svg")) {
		t.Errorf("--html: %v, %d bytes", err, len(page))
	}
	if strings.Contains(stdout.String()+stderr.String(), w.Token()) || strings.Contains(stdout.String()+stderr.String(), w.Secret()) {
		t.Error("the output holds the API token or the peer secret")
	}

	// A refused write fails the drill with exit 1 and says why.
	w.CF.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: 403, Match: cloudflareapi.Batches, Times: 1})
	stdout.Reset()
	stderr.Reset()
	if code := runCLI([]string{"drill"}, strings.NewReader(""), &stdout, &stderr); code != exitRefused {
		t.Fatalf("exit %d with the DNS API refusing the write, want %d\n%s", code, exitRefused, stdout.String())
	}
	if !strings.Contains(stdout.String(), "FAIL") || !strings.Contains(stdout.String(), "403") {
		t.Errorf("text report does not say the API refused:\n%s", stdout.String())
	}
}

func TestDrillCommandBadInput(t *testing.T) {
	drillWorld(t)
	t.Setenv("SWITCHYARD_DRILL_RECORD", world.Record)
	for _, args := range [][]string{{"drill", "--nope"}, {"drill", "extra"}, {"drill"}} {
		var stdout, stderr bytes.Buffer
		if code := runCLI(args, strings.NewReader(""), &stdout, &stderr); code != exitInput {
			t.Errorf("%q: exit %d, want %d\n%s", args, code, exitInput, stderr.String())
		}
	}
}

func TestDrillLambdaAction(t *testing.T) {
	drillWorld(t)
	log := slog.New(slog.DiscardHandler)
	m, _, err := build(log)
	if err != nil {
		t.Fatal(err)
	}
	var emf bytes.Buffer
	h := lambda.NewHandler(withDrill(m, log, &emf))
	for _, payload := range []string{`{"action":"drill","by":"schedule"}`, `{"action":"drill","dry_run":true}`} {
		out, err := h.Invoke(context.Background(), []byte(payload))
		if err != nil {
			t.Fatalf("%s: %v", payload, err)
		}
		var rep drill.Report
		if err := json.Unmarshal(out, &rep); err != nil || !rep.Passed {
			t.Errorf("%s: passed %v, err %v: %s", payload, rep.Passed, err, out)
		}
	}
	if n := strings.Count(emf.String(), `"DrillFailures":0`); n != 2 {
		t.Errorf("EMF output has %d passing drill documents, want 2:\n%s", n, emf.String())
	}
	// Other actions still reach Manual.Invoke.
	if out, err := h.Invoke(context.Background(), []byte(`{"action":"status"}`)); err != nil || !bytes.Contains(out, []byte(world.Record)) {
		t.Errorf("status through withDrill: %v %s", err, out)
	}
	if _, err := h.Invoke(context.Background(), []byte(`{"action":"drill","force":true}`)); err == nil || !strings.Contains(err.Error(), "drill takes no reason or force") {
		t.Errorf("drill with force: %v", err)
	}
}

// hookReceiver is a real webhook receiver on port 0: it checks each
// request's Switchyard-Signature with the shared key, as a receiver must,
// and keeps the events it accepted.
type hookReceiver struct {
	mu     sync.Mutex
	events []notify.Event
}

func startHookReceiver(t *testing.T, key string) (*hookReceiver, string) {
	t.Helper()
	rc := &hookReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		// The documented check, written again here: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">.
		var ts, sig string
		for part := range strings.SplitSeq(r.Header.Get(notify.SignatureHeader), ",") {
			if v, ok := strings.CutPrefix(part, "t="); ok {
				ts = v
			} else if v, ok := strings.CutPrefix(part, "v1="); ok {
				sig = v
			}
		}
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(ts + "." + string(body)))
		if want := hex.EncodeToString(m.Sum(nil)); ts == "" || !hmac.Equal([]byte(sig), []byte(want)) {
			t.Errorf("webhook: bad signature %q", r.Header.Get(notify.SignatureHeader))
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var e notify.Event
		if err := json.Unmarshal(body, &e); err != nil {
			t.Errorf("webhook: %v: %s", err, body)
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		rc.events = append(rc.events, e)
		rc.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return rc, srv.URL + "/hook"
}

func (rc *hookReceiver) got() []notify.Event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.events)
}

// TestFailedDrillNotifies: with SWITCHYARD_NOTIFY set, each failed drill,
// run by `failover drill` or by the Lambda's drill action, sends exactly
// one drill_failed notification about the real record, saying why; a
// drill that passes sends none.
func TestFailedDrillNotifies(t *testing.T) {
	w := drillWorld(t)
	const key = "a-webhook-key-of-at-least-32-bytes!!"
	rc, url := startHookReceiver(t, key)
	t.Setenv("SWITCHYARD_NOTIFY", "webhook:"+url)
	t.Setenv("SWITCHYARD_NOTIFY_WEBHOOK_SECRET", key)
	refuseNextWrite := func() {
		w.CF.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: 403, Match: cloudflareapi.Batches, Times: 1})
	}
	check := func(what string, want int) {
		t.Helper()
		evs := rc.got() // Run waits for delivery before it returns
		if len(evs) != want {
			t.Fatalf("%s: %d notifications, want %d: %+v", what, len(evs), want, evs)
		}
		if want == 0 {
			return
		}
		e := evs[want-1]
		if e.Kind != notify.DrillFailed || e.Record != world.Record || !strings.Contains(e.Reason, "403") ||
			!strings.Contains(e.Reason, world.DrillRecord) || !strings.HasPrefix(e.By, "drill:") {
			t.Errorf("%s: notification %+v", what, e)
		}
	}

	var stdout, stderr bytes.Buffer
	if code := runCLI([]string{"drill"}, strings.NewReader(""), &stdout, &stderr); code != exitDone {
		t.Fatalf("passing drill: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	check("a passing drill", 0)

	refuseNextWrite()
	if code := runCLI([]string{"drill", "--by", "ci"}, strings.NewReader(""), &stdout, &stderr); code != exitRefused {
		t.Fatalf("failing drill: exit %d, want %d\n%s", code, exitRefused, stdout.String())
	}
	check("failover drill, failed", 1)

	log := slog.New(slog.DiscardHandler)
	m, _, err := build(log)
	if err != nil {
		t.Fatal(err)
	}
	h := lambda.NewHandler(withDrill(m, log, io.Discard))
	refuseNextWrite()
	if _, err := h.Invoke(context.Background(), []byte(`{"action":"drill","by":"schedule"}`)); err == nil || errorType(err) != "DrillFailedError" {
		t.Fatalf("failing drill through the Lambda: %v (errorType %s)", err, errorType(err))
	}
	check("the Lambda's drill, failed", 2)
	if by := rc.got()[1].By; by != "drill:schedule" {
		t.Errorf("the Lambda's drill notified by %q, want drill:schedule", by)
	}
}
