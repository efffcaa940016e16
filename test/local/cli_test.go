package local

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/infra/local/world"
	"github.com/switchyard-dns/switchyard/test/internal/testbin"
)

// TestJSONTimeline runs the program as the README does, with --json, and
// checks the event stream a machine would read.
func TestJSONTimeline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a scenario; skipped with -short")
	}
	bin := testbin.Build(t, "./infra/local")
	out, err := exec.Command(bin, "--scenario", "primary-outage", "--json", "--interval", "300ms").Output()
	if err != nil {
		t.Fatalf("infra/local --json: %v\n%s", err, out)
	}
	var switched, dnsChanged, result map[string]any
	for line := range strings.Lines(string(out)) {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("line is not JSON: %q: %v", line, err)
		}
		if _, ok := ev["event"]; !ok {
			t.Fatalf("line has no event field: %q", line)
		}
		switch ev["event"] {
		case "switched":
			switched = ev
		case "dns_changed":
			dnsChanged = ev
		case "result":
			result = ev
		}
	}
	if switched == nil || switched["to"] != "standby" || switched["generation"] != float64(1) {
		t.Errorf("switched event = %v, want to=standby generation=1", switched)
	}
	if _, ok := switched["elapsed_ms"].(float64); !ok {
		t.Errorf("switched event has no elapsed_ms: %v", switched)
	}
	if dnsChanged == nil || dnsChanged["answer"] != world.StandbyTarget {
		t.Errorf("dns_changed event = %v, want answer %s", dnsChanged, world.StandbyTarget)
	}
	if result == nil || result["passed"] != true {
		t.Errorf("result = %v, want passed", result)
	}
}

func TestBadArguments(t *testing.T) {
	bin := testbin.Build(t, "./infra/local")
	for _, args := range [][]string{
		{"--scenario", "no-such-scenario"},
		{"--interval", "1ms"},
		{"--bogus"},
		{"extra"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			cmd := exec.Command(bin, args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Fatalf("exit = %v, want 2; stderr: %s", err, stderr.String())
			}
			if stderr.Len() == 0 {
				t.Error("no message on stderr")
			}
		})
	}
}

// TestServe starts the world as a user would for the other tools, then asks
// it over real DNS, with dig, what the record points at.
func TestServe(t *testing.T) {
	cmd, envFile := testbin.ServeLocalWorld(t)

	env := readEnv(t, envFile)
	for _, name := range []string{"SWITCHYARD_CLOUDFLARE_API_URL", "SWITCHYARD_CLOUDFLARE_API_TOKEN", "SWITCHYARD_RECORD", "SWITCHYARD_PEERS", "SWITCHYARD_LOCAL_DNS_ADDR"} {
		if env[name] == "" {
			t.Errorf("env file lacks %s", name)
		}
	}
	if info, err := os.Stat(envFile); err == nil && info.Mode().Perm() != 0o600 {
		t.Errorf("env file mode %v, want 0600: it holds the local token", info.Mode().Perm())
	}

	if _, err := exec.LookPath("dig"); err != nil {
		t.Log("dig not installed (apt-get install dnsutils): skipping the dig check")
	} else {
		host, port, _ := strings.Cut(env["SWITCHYARD_LOCAL_DNS_ADDR"], ":")
		out, err := exec.Command("dig", "@"+host, "-p", port, env["SWITCHYARD_RECORD"], "CNAME", "+short").Output()
		if err != nil {
			t.Fatalf("dig: %v", err)
		}
		if got := strings.TrimSpace(string(out)); got != world.PrimaryTarget+"." {
			t.Errorf("dig answers %q, want %s.", got, world.PrimaryTarget)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("after Ctrl-C: %v, want exit 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("did not stop within 30s of Ctrl-C")
	}
}

func readEnv(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		env[k] = v
	}
	return env
}
