package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/drill"
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
