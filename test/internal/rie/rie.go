// Package rie runs a real Lambda bootstrap under the AWS Lambda Runtime
// Interface Emulator for end-to-end tests: the same binary `sam build`
// ships, invoked with real events. Tests that use it skip when the
// emulator is not installed (scripts/test installs it).
package rie

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/test/internal/testbin"
)

// Install is the command that installs the emulator.
const Install = "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"

// Find returns the emulator's path or skips the test.
func Find(t testing.TB) string {
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
	t.Skipf("aws-lambda-rie not installed (neither on PATH nor in $(go env GOPATH)/bin); install it with:\n  %s", Install)
	return ""
}

var (
	buildMu sync.Mutex
	built   = map[string]string{}
)

// Build builds pkg (e.g. "./functions/probe") as the Makefile ships it to
// Lambda (CGO off, lambda.norpc, stripped) for goarch ("" for the host),
// once per process.
func Build(t testing.TB, pkg, goarch string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	key := pkg + "@" + goarch
	if p, ok := built[key]; ok {
		return p
	}
	dir, err := os.MkdirTemp("", "switchyard-bootstrap-")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Dir = testbin.Root(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if goarch != "" {
		cmd.Env = append(cmd.Env, "GOARCH="+goarch)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build bootstrap: %v\n%s", err, b)
	}
	built[key] = out
	return out
}

// Emulator is one running aws-lambda-rie with the bootstrap under it.
type Emulator struct {
	// Endpoint is the emulator's base URL, for `aws --endpoint-url`.
	Endpoint string
	// Out collects the emulator's and the function's output.
	Out *Lines
	url string // invocation endpoint
	cmd *exec.Cmd
}

// Start starts the emulator on free ports with env as the function's
// environment (and nothing else of the test's, so no stray AWS or
// SWITCHYARD_ variable reaches the function).
func Start(t testing.TB, bootstrap string, env map[string]string) *Emulator {
	t.Helper()
	rie := Find(t)
	apiAddr, rieAddr := freeAddr(t), freeAddr(t)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", rieAddr, "--runtime-api-address", apiAddr, bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "LOG_LEVEL=warn"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	e := &Emulator{Endpoint: "http://" + rieAddr, url: "http://" + rieAddr + "/2015-03-31/functions/function/invocations", cmd: cmd, Out: &Lines{}}
	cmd.Stdout, cmd.Stderr = e.Out, e.Out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", rie, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("emulator and function output:\n%s", e.Out.String())
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

// Invoke sends one event and returns the function's response payload.
func (e *Emulator) Invoke(t testing.TB, event []byte) []byte {
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

// BootstrapPID finds the bootstrap process the emulator started.
func (e *Emulator) BootstrapPID(t testing.TB) int {
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

// Lines collects process output, safe for concurrent writes.
type Lines struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{} // closed and replaced on every write
}

func (l *Lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.written != nil {
		close(l.written)
	}
	l.written = make(chan struct{})
	return l.buf.Write(p)
}

// Await returns the lines containing s once there is one, or none after d:
// the emulator copies the function's output on its own schedule.
func (l *Lines) Await(s string, d time.Duration) []string {
	deadline := time.After(d)
	for {
		l.mu.Lock()
		if l.written == nil {
			l.written = make(chan struct{})
		}
		written := l.written
		l.mu.Unlock()
		if got := l.Matching(s); len(got) > 0 {
			return got
		}
		select {
		case <-written:
		case <-deadline:
			return nil
		}
	}
}

func (l *Lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Matching returns the output lines containing s.
func (l *Lines) Matching(s string) []string {
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

// Billed returns the "Billed Duration" of every invocation the emulator
// has reported so far, in order: the REPORT line it prints after each
// (Lambda bills each invocation by the millisecond, rounded up, as the
// emulator does). Its "Max Memory Used" is not a measurement: the emulator
// prints the configured memory size there; read the bootstrap's VmHWM
// instead.
func (l *Lines) Billed() []time.Duration {
	var out []time.Duration
	for _, line := range l.Matching("REPORT RequestId:") {
		_, rest, ok := strings.Cut(line, "Billed Duration: ")
		if !ok {
			continue
		}
		ms, _, _ := strings.Cut(rest, " ms")
		if n, err := strconv.ParseInt(ms, 10, 64); err == nil {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
	}
	return out
}
