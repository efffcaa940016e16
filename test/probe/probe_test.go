// Package probe tests the real `probe` binary (functions/probe) as an
// operator runs it outside Lambda: --help, a bad configuration, `probe once`
// and `probe serve` against the local world.
package probe

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/test/internal/testbin"
)

// localWorld starts `infra/local --serve` and returns the env it wrote.
func localWorld(t *testing.T) map[string]string {
	t.Helper()
	_, envFile := testbin.ServeLocalWorld(t)
	env, err := config.ReadEnvFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	// The file is an operator's view (every vantage point in PEERS); this
	// probe joins as a fifth vantage point with a key of its own.
	env["SWITCHYARD_VANTAGE"] = "aws:ap-south-1"
	env["SWITCHYARD_SECRET"] = "probe-test-key-0123456789abcdef01234"
	return env
}

// probeCmd runs the probe binary with exactly env (nothing inherited but PATH).
func probeCmd(t *testing.T, env map[string]string, args ...string) *exec.Cmd {
	cmd := exec.Command(testbin.Build(t, "./functions/probe"), args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

func exitCode(err error) int {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestHelpListsEveryVariable(t *testing.T) {
	var out bytes.Buffer
	cmd := probeCmd(t, nil, "--help")
	cmd.Stdout, cmd.Stderr = &out, &out
	if code := exitCode(cmd.Run()); code != 0 {
		t.Fatalf("--help exit %d, want 0", code)
	}
	for _, v := range config.Usage() {
		if !strings.Contains(out.String(), v.Name) {
			t.Errorf("--help does not list %s", v.Name)
		}
	}
}

func TestBadConfigurationListsEveryProblemWithoutSecrets(t *testing.T) {
	const secret = "short-but-very-secret-value"
	var stderr bytes.Buffer
	cmd := probeCmd(t, map[string]string{
		"SWITCHYARD_INTERVAL":             "soon",
		"SWITCHYARD_QUORUM":               "many",
		"SWITCHYARD_SECRET":               secret,
		"SWITCHYARD_CLOUDFLARE_API_TOKEN": secret + "-token",
	}, "serve")
	cmd.Stderr = &stderr
	if code := exitCode(cmd.Run()); code != 2 {
		t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr.String())
	}
	msg := stderr.String()
	for _, want := range []string{"SWITCHYARD_INTERVAL", "SWITCHYARD_QUORUM", "SWITCHYARD_RECORD", "SWITCHYARD_SECRET"} {
		if !strings.Contains(msg, want) {
			t.Errorf("stderr does not name %s:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, secret) {
		t.Fatal("a secret value appears in the error output")
	}
}

func TestOncePrintsAnObservation(t *testing.T) {
	env := localWorld(t)
	var stdout, stderr bytes.Buffer
	cmd := probeCmd(t, env, "once")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if code := exitCode(cmd.Run()); code != 0 {
		t.Fatalf("probe once exit %d; stderr:\n%s", code, stderr.String())
	}
	var obs struct {
		Vantage string
		Primary struct {
			OK     bool
			Target string
		}
		Standby struct{ OK bool }
	}
	if err := json.Unmarshal(stdout.Bytes(), &obs); err != nil {
		t.Fatalf("output is not an observation: %v\n%s", err, stdout.String())
	}
	if obs.Vantage != env["SWITCHYARD_VANTAGE"] || !obs.Primary.OK || !obs.Standby.OK {
		t.Errorf("observation = %+v, want both healthy from %s", obs, env["SWITCHYARD_VANTAGE"])
	}
	for _, s := range []string{env["SWITCHYARD_SECRET"], env["SWITCHYARD_CLOUDFLARE_API_TOKEN"], env["SWITCHYARD_PRIMARY_S3_SECRET_ACCESS_KEY"]} {
		if s != "" && (strings.Contains(stdout.String(), s) || strings.Contains(stderr.String(), s)) {
			t.Fatal("probe once printed a secret")
		}
	}
}

func TestServe(t *testing.T) {
	env := localWorld(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	env["SWITCHYARD_PORT"] = strconv.Itoa(port)
	cmd := probeCmd(t, env, "serve")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var logs bytes.Buffer
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		logs.WriteString(lines.Text() + "\n")
		if strings.Contains(lines.Text(), `"msg":"serving"`) {
			break
		}
	}
	logDone := make(chan struct{})
	go func() { _, _ = io.Copy(&logs, stderr); close(logDone) }()
	base := "http://127.0.0.1:" + strconv.Itoa(port)

	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %v %v\nlogs:\n%s", err, resp, logs.String())
	}
	resp.Body.Close()

	resp, err = http.Post(base+"/observe", "application/json", strings.NewReader(`{"from":"aws:us-west-2"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned /observe: %d, want 401", resp.StatusCode)
	}

	resp, err = http.Get(base + "/status")
	if err != nil {
		t.Fatal(err)
	}
	status, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(status), env["SWITCHYARD_VANTAGE"]) {
		t.Errorf("/status: %d %s", resp.StatusCode, status)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("after SIGTERM: %v, want a clean exit", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("probe serve did not stop within 20s of SIGTERM")
	}
	<-logDone
	// The topology is logged at start. Joining as a third AWS vantage
	// point makes it 3 aws + 2 gcp + 1 azure, quorum 4 of 6: losing AWS
	// leaves 3 votes, so it warns, naming aws and the fix.
	if !strings.Contains(logs.String(), `"msg":"topology"`) ||
		!strings.Contains(logs.String(), `"level":"WARN","msg":"topology warning","warning":"losing aws whole`) ||
		!strings.Contains(logs.String(), "smallest fix: ") {
		t.Errorf("probe serve did not log the topology and its warning at start:\n%s", logs.String())
	}
	for _, s := range []string{env["SWITCHYARD_SECRET"], env["SWITCHYARD_CLOUDFLARE_API_TOKEN"]} {
		if strings.Contains(logs.String(), s) || strings.Contains(string(status), s) {
			t.Fatal("a secret appears in the logs or /status")
		}
	}
}
