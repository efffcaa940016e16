package failover_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/manual"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

func TestStatus(t *testing.T) {
	e := startWorld(t, world.Options{})
	e.waitRounds(t, 1)
	// status checks both origins itself. This test is about what it
	// shows, not how fast a loaded machine under -race answers, so its
	// checks get a production-sized budget instead of the world's 60 ms.
	e.envFile = e.writeEnv(t, func(c *config.Config) {
		c.Interval, c.ProbeTimeout, c.LatencyBudget, c.PeerTimeout = 10*time.Second, 3*time.Second, 3*time.Second, 5*time.Second
	})

	r := script(t, "", "--env-file", e.envFile, "status")
	if r.code != 0 {
		t.Fatalf("status: %s", r)
	}
	for _, want := range []string{
		"assets.example.test CNAME → primary.origin.example.test (primary)",
		`gen 0, since -, by setup, pinned no, reason "initial state"`,
		"failback  manual",
		"topology: 5 vantage points on 3 providers, a switch needs 3 down votes from 2 providers: survives the loss and resists the blindness of any one provider",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, r)
		}
	}
	for _, n := range e.w.Nodes {
		if !strings.Contains(r.stdout, n.ID) {
			t.Errorf("status has no row for %s:\n%s", n.ID, r)
		}
	}

	// --json, with one vantage point down.
	if err := e.w.Kill("gcp:europe-west1"); err != nil {
		t.Fatal(err)
	}
	r = script(t, "", "--env-file", e.envFile, "status", "--json")
	var rep manual.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); r.code != 0 || err != nil {
		t.Fatalf("status --json: %v\n%s", err, r)
	}
	if rep.Current.Side != state.Primary || !rep.Health.Primary.OK || !rep.Health.Standby.OK || len(rep.Vantages) != len(e.w.Nodes) ||
		rep.Topology == nil || !rep.Topology.OK() {
		t.Fatalf("status --json = %+v", rep)
	}
	for _, v := range rep.Vantages {
		switch {
		case v.ID == "gcp:europe-west1" && !strings.HasPrefix(v.Error, "unreachable"):
			t.Errorf("killed vantage point: %+v, want unreachable", v)
		case v.ID != "gcp:europe-west1" && (v.Round == nil || v.Round.Active != state.Primary):
			t.Errorf("vantage point %s: %+v, want its round on the primary", v.ID, v)
		}
	}
	if strings.Contains(r.stdout+r.stderr, e.w.Token()) {
		t.Error("the API token appears in the output")
	}
}

func TestStandbyThenPrimary(t *testing.T) {
	e := startWorld(t, world.Options{})

	r := script(t, "", "--env-file", e.envFile, "standby", "--reason", "S3 errors in us-east-1", "--by", "alice", "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "moved to the standby and pinned") {
		t.Fatalf("standby: %s", r)
	}
	e.waitAnswer(t, world.StandbyTarget, 5*time.Second)
	_, st := e.record(t)
	if st.Active != state.Standby || st.Gen != 1 || !st.Pinned || st.By != "manual:alice" || st.Reason != "S3 errors in us-east-1" || st.Since.IsZero() {
		t.Fatalf("state after standby: %+v", st)
	}
	if !strings.Contains(r.stderr, `"msg":"manual: standby"`) {
		t.Errorf("no JSON log line for the move:\n%s", r.stderr)
	}

	r = script(t, "", "--env-file", e.envFile, "primary", "--reason", "S3 is back", "--by", "alice", "--yes")
	if r.code != 0 {
		t.Fatalf("primary: %s", r)
	}
	e.waitAnswer(t, world.PrimaryTarget, 5*time.Second)
	if _, st := e.record(t); st.Active != state.Primary || st.Gen != 2 || !st.Pinned {
		t.Fatalf("state after primary: %+v", st)
	}
}

func TestConfirmation(t *testing.T) {
	e := startWorld(t, world.Options{})
	for _, tt := range []struct {
		name  string
		stdin string
		code  int
	}{
		{"no answer on stdin", "", 2},
		{"answered no", "n\n", 1},
	} {
		r := script(t, tt.stdin, "--env-file", e.envFile, "standby")
		if r.code != tt.code || !strings.Contains(r.stdout, "would be  standby.origin.example.test (standby)") {
			t.Errorf("%s: want exit %d after showing the plan: %s", tt.name, tt.code, r)
		}
	}
	if content, st := e.record(t); content != world.PrimaryTarget || st.Gen != 0 || e.batches() != 0 {
		t.Fatalf("unconfirmed moves changed the record: %s gen %d", content, st.Gen)
	}
	r := script(t, "y\n", "--env-file", e.envFile, "standby", "--dry-run")
	if r.code != 0 || e.batches() != 0 || !strings.Contains(r.stdout, "dry run: nothing changed") {
		t.Fatalf("dry run: %s", r)
	}
	r = script(t, "yes\n", "--env-file", e.envFile, "standby")
	if r.code != 0 {
		t.Fatalf("confirmed: %s", r)
	}
	e.waitAnswer(t, world.StandbyTarget, 5*time.Second)
}

func TestRefusedUnlessForced(t *testing.T) {
	e := startWorld(t, world.Options{})
	e.w.Standby.SetDown(true)

	r := script(t, "", "--env-file", e.envFile, "standby", "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "refused to move traffic to the standby") || !strings.Contains(r.stderr, "health check fails right now") {
		t.Fatalf("move to a down standby: %s", r)
	}
	if content, st := e.record(t); content != world.PrimaryTarget || st.Gen != 0 || e.batches() != 0 || e.answer(t) != world.PrimaryTarget {
		t.Fatalf("a refused move changed the record: %s gen %d", content, st.Gen)
	}

	r = script(t, "", "--env-file", e.envFile, "standby", "--force", "--yes", "--reason", "primary must be drained")
	if r.code != 0 || !strings.Contains(r.stdout, "(forced)") {
		t.Fatalf("forced move: %s", r)
	}
	e.waitAnswer(t, world.StandbyTarget, 5*time.Second)
}

// TestAutoHandsBack: with FAILBACK=auto, a pinned standby stays put while
// the primary is healthy; `auto` unpins it and the vantage points fail back
// by their policy. With FAILBACK=manual, `auto` leaves it on the standby.
func TestAutoHandsBack(t *testing.T) {
	for _, failback := range []string{"auto", "manual"} {
		t.Run(failback, func(t *testing.T) {
			// DNSCache: a vantage point notices the pin cleared within
			// SWITCHYARD_DNS_CACHE; short here so the test need not wait a minute.
			e := startWorld(t, world.Options{Failback: failback, RecoverAfter: 2, MinDwell: 500 * time.Millisecond, DNSCache: 300 * time.Millisecond})
			if r := script(t, "", "--env-file", e.envFile, "standby", "--yes"); r.code != 0 {
				t.Fatalf("standby: %s", r)
			}
			e.waitAnswer(t, world.StandbyTarget, 5*time.Second)
			e.drainRounds()
			e.waitRounds(t, 6) // past RECOVER_AFTER and MIN_DWELL: only the pin holds it
			if content, st := e.record(t); content != world.StandbyTarget || st.Gen != 1 {
				t.Fatalf("automation moved a pinned record: %s gen %d", content, st.Gen)
			}

			r := script(t, "", "--env-file", e.envFile, "auto", "--yes")
			if r.code != 0 || !strings.Contains(r.stdout, "automation is in control again") {
				t.Fatalf("auto: %s", r)
			}
			if failback == "manual" {
				e.drainRounds()
				e.waitRounds(t, 6)
				if content, st := e.record(t); content != world.StandbyTarget || st.Gen != 2 || st.Pinned {
					t.Fatalf("failback manual: %s %+v, want unpinned on the standby", content, st)
				}
				return
			}
			e.waitAnswer(t, world.PrimaryTarget, 20*time.Second)
			_, st := e.record(t)
			if st.Active != state.Primary || st.Gen != 3 || st.Pinned || strings.HasPrefix(st.By, "manual:") {
				t.Fatalf("after failback: %+v, want a vantage point's switch at gen 3", st)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	e := startWorld(t, world.Options{})
	noToken := e.writeEnv(t, func(c *config.Config) { c.CloudflareAPIToken = "" })
	wrongRecord := e.writeEnv(t, func(c *config.Config) { c.Record = "nothere.example.test" })
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown action", []string{"--env-file", e.envFile, "sideways"}, `unknown command "sideways"`},
		{"no action", []string{"--env-file", e.envFile}, "usage: scripts/failover"},
		{"unknown flag", []string{"--env-file", e.envFile, "standby", "--quick"}, "flag provided but not defined: -quick"},
		{"status with a reason", []string{"--env-file", e.envFile, "status", "--reason", "x"}, "status takes no --reason"},
		{"missing token", []string{"--env-file", noToken, "standby", "--yes"}, "SWITCHYARD_CLOUDFLARE_API_TOKEN: required"},
		{"wrong record", []string{"--env-file", wrongRecord, "standby", "--yes"}, "found 0 CNAME records named nothere.example.test"},
		{"unreadable env file", []string{"--env-file", filepath.Join(t.TempDir(), "missing.env"), "status"}, "cannot be read"},
		{"bad --via", []string{"--via", "pigeon", "status"}, "--via pigeon: want local or lambda"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := script(t, "", tt.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("want exit 2 and %q on stderr: %s", tt.want, r)
			}
			if strings.Contains(r.stdout+r.stderr, e.w.Token()) {
				t.Error("the API token appears in the output")
			}
		})
	}
	if content, st := e.record(t); content != world.PrimaryTarget || st.Gen != 0 || e.batches() != 0 {
		t.Fatalf("bad input changed the record: %s gen %d, %d batches", content, st.Gen, e.batches())
	}
}

func TestUnreadableEnvFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads a mode-000 file; the missing-file case in TestBadInput covers the message")
	}
	path := filepath.Join(t.TempDir(), "locked.env")
	if err := os.WriteFile(path, []byte("SWITCHYARD_RECORD=x\n"), 0o000); err != nil {
		t.Fatal(err)
	}
	if r := script(t, "", "--env-file", path, "status"); r.code != 2 || !strings.Contains(r.stderr, "cannot be read") {
		t.Fatalf("want exit 2: %s", r)
	}
}

func TestDNSFailureMidWay(t *testing.T) {
	e := startWorld(t, world.Options{})
	e.waitRounds(t, 1) // the vantage points' DNS reads are cached from now on
	api := failingBatches(t, e.w, http.StatusServiceUnavailable)
	envFile := e.writeEnv(t, func(c *config.Config) { c.CloudflareAPIURL = api })

	r := script(t, "", "--env-file", envFile, "standby", "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "DNS: write standby.origin.example.test") || !strings.Contains(r.stderr, "503") {
		t.Fatalf("want exit 1 naming the failed write: %s", r)
	}
	if e.batches() < 2 {
		t.Errorf("%d batches reached the API; the provider should have retried", e.batches())
	}
	if content, st := e.record(t); content != world.PrimaryTarget || st.Gen != 0 || st.Active != state.Primary || e.answer(t) != world.PrimaryTarget {
		t.Fatalf("a failed write changed the record: %s %+v", content, st)
	}
}
