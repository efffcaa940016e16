// Package lambda runs the real probe bootstrap under the AWS Lambda Runtime
// Interface Emulator (aws-lambda-rie) against the local world: the same
// binary `sam build` ships, invoked with golden events.
//
// The tests skip when aws-lambda-rie is not installed:
//
//	go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d
package lambda

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
)

const rieInstall = "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"

// findRIE returns the emulator's path or skips the test.
func findRIE(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", "aws-lambda-rie")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skipf("aws-lambda-rie not installed (neither on PATH nor in $(go env GOPATH)/bin); install it with:\n  %s", rieInstall)
	return ""
}

var (
	buildMu sync.Mutex
	built   = map[string]string{}
)

// buildBootstrap builds ./functions/probe as Lambda ships it (CGO off,
// lambda.norpc, stripped) for goarch ("" for the host), once per process.
func buildBootstrap(t testing.TB, goarch string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := built[goarch]; ok {
		return p
	}
	dir, err := os.MkdirTemp("", "switchyard-bootstrap-")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, "./functions/probe")
	cmd.Dir = moduleRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if goarch != "" {
		cmd.Env = append(cmd.Env, "GOARCH="+goarch)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build bootstrap: %v\n%s", err, b)
	}
	built[goarch] = out
	return out
}

func moduleRoot(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// emulator is one running aws-lambda-rie with the bootstrap under it.
type emulator struct {
	url string // invocation endpoint
	cmd *exec.Cmd
	out *lines
}

// startRIE starts the emulator on free ports with env as the function's
// environment (and nothing else of the test's, so no stray AWS or
// SWITCHYARD_ variable reaches the function).
func startRIE(t testing.TB, bootstrap string, env map[string]string) *emulator {
	t.Helper()
	rie := findRIE(t)
	apiAddr, rieAddr := freeAddr(t), freeAddr(t)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", rieAddr, "--runtime-api-address", apiAddr, bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "LOG_LEVEL=warn"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	e := &emulator{url: "http://" + rieAddr + "/2015-03-31/functions/function/invocations", cmd: cmd, out: &lines{}}
	cmd.Stdout, cmd.Stderr = e.out, e.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", rie, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("emulator and function output:\n%s", e.out.String())
		}
	})
	waitListening(t, rieAddr)
	return e
}

// freeAddr returns a loopback address nothing listens on now. The
// emulator takes addresses, not listeners, so there is a short window in
// which another process could take the port; tests then fail loudly.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// waitListening dials addr until it accepts, for at most 10 s.
func waitListening(t testing.TB, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("emulator never listened on %s: %v", addr, err)
		}
		<-tick.C
	}
}

// invoke sends one event and returns the function's response payload.
func (e *emulator) invoke(t testing.TB, event []byte) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(event))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("invoke: %d %s", resp.StatusCode, body)
	}
	return body
}

// bootstrapPID finds the bootstrap process the emulator started.
func (e *emulator) bootstrapPID(t testing.TB) int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	parent := strconv.Itoa(e.cmd.Process.Pid)
	for _, d := range entries {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", d.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
		rest := string(stat[bytes.LastIndexByte(stat, ')')+2:])
		if f := strings.Fields(rest); len(f) > 1 && f[1] == parent {
			return pid
		}
	}
	t.Fatal("bootstrap process not found among the emulator's children")
	return 0
}

// lines collects process output, safe for concurrent writes.
type lines struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{} // closed and replaced on every write
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.written != nil {
		close(l.written)
	}
	l.written = make(chan struct{})
	return l.buf.Write(p)
}

// await returns the lines containing s once there is one, or none after d:
// the emulator copies the function's output on its own schedule.
func (l *lines) await(s string, d time.Duration) []string {
	deadline := time.After(d)
	for {
		l.mu.Lock()
		if l.written == nil {
			l.written = make(chan struct{})
		}
		written := l.written
		l.mu.Unlock()
		if got := l.matching(s); len(got) > 0 {
			return got
		}
		select {
		case <-written:
		case <-deadline:
			return nil
		}
	}
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// matching returns the output lines containing s.
func (l *lines) matching(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), s) {
			out = append(out, sc.Text())
		}
	}
	return out
}

// envOf renders a configuration as the environment variables that load
// it, using config.Usage for the names so this cannot drift from the
// struct: field i of Config is Usage()[i].
func envOf(c config.Config) map[string]string {
	env := map[string]string{}
	v := reflect.ValueOf(c)
	for i, u := range config.Usage() {
		f := v.Field(i)
		var s string
		switch x := f.Interface().(type) {
		case time.Duration:
			s = x.String()
		case config.Secret:
			s = x.Reveal()
		case config.Peers:
			var parts []string
			for _, p := range x {
				parts = append(parts, p.ID+"="+p.URL)
			}
			s = strings.Join(parts, ",")
		default:
			s = fmt.Sprint(x)
		}
		if s != "" {
			env[u.Name] = s
		}
	}
	return env
}
