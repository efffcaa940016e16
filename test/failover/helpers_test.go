package failover_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// binary is functions/failover, built once for the whole test binary and
// handed to the script through SWITCHYARD_FAILOVER_BIN.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "switchyard-failover-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "failover")
	cmd := exec.Command("go", "build", "-o", binary, "./functions/failover")
	cmd.Dir = repoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./functions/failover: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func repoRoot() string {
	wd, _ := os.Getwd()
	return filepath.Join(wd, "..", "..")
}

// env is one test's local world, seen through an operator's env file.
type env struct {
	w       *world.World
	envFile string
	rounds  chan string // vantage id of every finished round
}

func startWorld(t *testing.T, o world.Options) *env {
	t.Helper()
	e := &env{rounds: make(chan string, 4096)}
	o.Events = func(ev world.Event) {
		if ev.Kind == vantage.EventRound {
			select {
			case e.rounds <- ev.Vantage:
			default:
			}
		}
	}
	if o.Interval == 0 {
		// 500 ms: a 200 ms world (120 ms probe timeout, 160 ms peer timeout)
		// missed its deadlines under -race beside the other packages' tests.
		o.Interval = 500 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	w, err := world.Start(ctx, o)
	if err != nil {
		cancel()
		t.Fatalf("world.Start: %v", err)
	}
	t.Cleanup(func() { cancel(); w.Close() })
	e.w = w
	e.envFile = e.writeEnv(t, func(*config.Config) {})
	return e
}

// writeEnv writes the operator's env file, changed by edit, and returns its path.
func (e *env) writeEnv(t *testing.T, edit func(*config.Config)) string {
	t.Helper()
	cfg := e.w.OperatorConfig()
	edit(&cfg)
	path := filepath.Join(t.TempDir(), "switchyard.env")
	if err := e.w.WriteEnvFile(path, cfg); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitRounds waits until every vantage point has finished n more rounds.
func (e *env) waitRounds(t *testing.T, n int) {
	t.Helper()
	need := map[string]int{}
	for _, node := range e.w.Nodes {
		need[node.ID] = n
	}
	timeout := time.After(time.Duration(n+10) * 2 * e.w.Options().Interval * 5)
	for len(need) > 0 {
		select {
		case id := <-e.rounds:
			if need[id]--; need[id] <= 0 {
				delete(need, id)
			}
		case <-timeout:
			t.Fatalf("vantage points %v did not finish %d rounds", need, n)
		}
	}
}

// drainRounds forgets rounds seen so far.
func (e *env) drainRounds() {
	for {
		select {
		case <-e.rounds:
		default:
			return
		}
	}
}

// record returns the switched record's content and state as the API holds them.
func (e *env) record(t *testing.T) (string, state.State) {
	t.Helper()
	var content string
	var st state.State
	for _, r := range e.w.CF.Records() {
		switch r.Name {
		case world.Record:
			content = r.Content
		case state.RecordName(world.Record):
			s, err := state.Parse(r.Content)
			if err != nil {
				t.Fatalf("state TXT %q: %v", r.Content, err)
			}
			st = s
		}
	}
	return content, st
}

// answer is what the world's authoritative DNS server answers for the
// record, asked over UDP as dig asks, and by dig itself when installed.
func (e *env) answer(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ans, err := e.w.Answer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("dig"); err == nil {
		host, port, _ := strings.Cut(e.w.DNSAddr(), ":")
		out, err := exec.CommandContext(ctx, "dig", "@"+host, "-p", port, world.Record, "CNAME", "+short").Output()
		if err != nil {
			t.Fatalf("dig: %v", err)
		}
		if got := strings.TrimSuffix(strings.TrimSpace(string(out)), "."); got != ans {
			t.Fatalf("dig answers %q, the world's resolver %q", got, ans)
		}
	}
	return ans
}

// waitAnswer waits until DNS answers want.
func (e *env) waitAnswer(t *testing.T, want string, within time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	if err := e.w.WaitAnswer(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got := e.answer(t); got != want {
		t.Fatalf("DNS answers %s, want %s", got, want)
	}
}

// batches counts write requests the DNS API has answered.
func (e *env) batches() int {
	n := 0
	for _, c := range e.w.CF.Calls() {
		if c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/batch") {
			n++
		}
	}
	return n
}

type run struct {
	stdout, stderr string
	code           int
}

// script runs scripts/failover with a clean environment: the env file is
// the only configuration it gets.
func script(t *testing.T, stdin string, args ...string) run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(repoRoot(), "scripts", "failover"), args...)
	cmd.Dir = t.TempDir() // no ./.env to pick up
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "SWITCHYARD_FAILOVER_BIN=" + binary}
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := run{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
	if err != nil && r.code < 0 {
		t.Fatalf("scripts/failover %v: %v", args, err)
	}
	return r
}

func (r run) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// failingBatches serves the world's DNS API, but every batch (the write)
// fails with status after the reads before it succeeded: a DNS API failure
// mid-way. It returns the API base URL to configure.
func failingBatches(t *testing.T, w *world.World, status int) string {
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/batch") {
			mu.Lock()
			w.CF.FailNext(1, status, 10*time.Millisecond)
			defer mu.Unlock() // one batch at a time, so each meets its own failure
		}
		w.CF.Handler().ServeHTTP(rw, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/client/v4"
}
