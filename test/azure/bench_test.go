package azure

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/test/internal/testbin"
)

// BenchmarkColdStart measures the custom handler the way the Lambda
// figures are measured: per iteration a fresh process, the time from
// starting it to its first answer (process start, Go runtime,
// configuration, wiring, listening: what the host waits for before it
// sends the first invocation), a warm GET /status through the host's
// proxy, then two timer invocations during an outage (probes, every
// vantage point's vote, a switch) and the process's peak RSS afterwards.
// The size of the linux/amd64 binary the deploy script ships is reported
// too.
//
//	go test -run '^$' -bench ColdStart -benchtime 5x ./test/azure
//
// Targets, as for Lambda: first answer ≤ 30 ms, peak RSS ≤ 30 MiB. The
// Functions host's own start (seconds on a cold instance) is not in the
// figure: it happens before the handler starts and cannot be played here.
func BenchmarkColdStart(b *testing.B) {
	size := shippedSize(b)
	var first, fastest, warm time.Duration
	var hwm int64
	for range b.N {
		w, h, _ := setup(b)
		first += h.Ready
		if fastest == 0 || h.Ready < fastest {
			fastest = h.Ready
		}
		start := time.Now()
		resp, err := http.Get(h.URL + "/status")
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("GET /status: %v %v", err, resp)
		}
		resp.Body.Close()
		warm += time.Since(start)

		w.Primary.SetDown(true)
		switched := false
		for range 2 {
			resp, err := h.Tick(b, "round", false)
			if err != nil {
				b.Fatal(err)
			}
			switched = switched || strings.Contains(string(resp.ReturnValue), `"switched":true`)
		}
		if !switched {
			b.Fatal("two timer invocations during an outage did not switch")
		}
		hwm = max(hwm, peakRSS(b, h.cmd.Process.Pid))
	}
	b.ReportMetric(float64(first.Microseconds())/1000/float64(b.N), "first-answer-ms")
	// On a shared host the mean carries other processes' load; the
	// fastest start is the handler's own cost.
	b.ReportMetric(float64(fastest.Microseconds())/1000, "fastest-first-answer-ms")
	b.ReportMetric(float64(warm.Microseconds())/1000/float64(b.N), "warm-status-ms")
	b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(size)/1e6, "amd64-binary-MB")
}

// shippedSize builds the binary as infra/azure/deploy does and returns
// its size in bytes.
func shippedSize(b *testing.B) int64 {
	out := filepath.Join(b.TempDir(), "probe")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./functions/probe")
	cmd.Dir = testbin.Root(b)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if o, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, o)
	}
	st, err := os.Stat(out)
	if err != nil {
		b.Fatal(err)
	}
	return st.Size()
}

// peakRSS reads VmHWM, the process's peak resident set, in bytes.
func peakRSS(b *testing.B, pid int) int64 {
	b.Helper()
	status, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmHWM in /proc/<pid>/status")
	return 0
}
