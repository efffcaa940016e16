//go:build linux

package netns

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// process is a program running inside a namespace, with its output kept
// for the failure report and its JSON log lines for assertions.
type process struct {
	name   string
	cmd    *exec.Cmd
	redact []string // never shown in a failure report

	mu    sync.Mutex
	lines []string
	ready chan struct{} // closed at the first stdout line "ready"
	once  sync.Once
}

// start runs bin with args inside ns with exactly env (nothing of the
// test's own environment leaks in) and stops it when the test ends. The
// values in redact are blanked out of the output shown when the test fails.
func start(t *testing.T, name, ns string, env, redact []string, bin string, args ...string) *process {
	t.Helper()
	p := &process{name: name, redact: redact, ready: make(chan struct{})}
	p.cmd = exec.Command("ip", append([]string{"netns", "exec", ns, bin}, args...)...)
	p.cmd.Env = append([]string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, env...)
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { p.collect(stdout) })
	wg.Go(func() { p.collect(stderr) })
	t.Cleanup(func() {
		// ip netns exec execs the program, so this is the program itself.
		_ = p.cmd.Process.Kill()
		wg.Wait()
		_ = p.cmd.Wait()
		if t.Failed() {
			t.Logf("--- output of %s:\n%s", name, p.report())
		}
	})
	return p
}

func (p *process) collect(r io.Reader) {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	for s.Scan() {
		line := s.Text()
		p.mu.Lock()
		p.lines = append(p.lines, line)
		p.mu.Unlock()
		if line == "ready" {
			p.once.Do(func() { close(p.ready) })
		}
	}
}

// waitReady waits for the "ready" line, or fails after d.
func (p *process) waitReady(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-p.ready:
	case <-time.After(d):
		t.Fatalf("%s not ready after %s:\n%s", p.name, d, p.report())
	}
}

func (p *process) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// report is the output with every secret replaced by [redacted].
func (p *process) report() string {
	out := p.output()
	for _, s := range p.redact {
		out = strings.ReplaceAll(out, s, "[redacted]")
	}
	return out
}

// logEntries returns the JSON log lines whose msg is msg.
func (p *process) logEntries(msg string) []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []map[string]any
	for _, line := range p.lines {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader([]byte(line)))
		dec.UseNumber()
		if dec.Decode(&m) == nil && m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

func (p *process) String() string { return fmt.Sprintf("process %s", p.name) }
