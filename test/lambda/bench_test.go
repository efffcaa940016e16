package lambda

import (
	"bytes"
	"github.com/switchyard-dns/switchyard/test/internal/rie"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkColdStart measures what decides whether the probe fits Lambda's
// smallest size (128 MB) and starts fast: per iteration a fresh emulator
// and bootstrap, the time to the first response (a GET /status through a
// Function URL event: process start, Go runtime, secret resolution,
// configuration and wiring, one tiny request), then a scheduled invocation
// during an outage (probes, peer votes, a switch) and the bootstrap's peak
// RSS afterwards. The arm64 bootstrap's size is reported too.
//
//	go test -run '^$' -bench ColdStart -benchtime 5x ./test/lambda
//
// Targets: first response and init ≤ 30 ms, arm64 bootstrap ≤ 12 MB, peak
// RSS ≤ 30 MB. The emulator's own "Init Duration" is not used: it times its
// internal init step, which ends before the bootstrap has run (it reports
// about 0.02 ms).
func BenchmarkColdStart(b *testing.B) {
	arm := rie.Build(b, "./functions/probe", "arm64")
	st, err := os.Stat(arm)
	if err != nil {
		b.Fatal(err)
	}
	var first, warm time.Duration
	var hwm int64
	for range b.N {
		b.StopTimer()
		w, em, _ := setup(b, 8*time.Second)
		status := golden(b, "function-url-status.json")
		b.StartTimer()
		start := time.Now()
		em.Invoke(b, status)
		first += time.Since(start)
		b.StopTimer()
		start = time.Now()
		em.Invoke(b, status)
		warm += time.Since(start)

		w.Primary.SetDown(true)
		if out := em.Invoke(b, golden(b, "scheduled-event.json")); !bytes.Contains(out, []byte(`"switched":true`)) {
			b.Fatalf("scheduled invocation did not switch: %s", out)
		}
		hwm = max(hwm, peakRSS(b, em.BootstrapPID(b)))
		b.StartTimer()
	}
	b.ReportMetric(float64(first.Microseconds())/1000/float64(b.N), "first-response-ms")
	b.ReportMetric(float64(warm.Microseconds())/1000/float64(b.N), "warm-response-ms")
	b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(st.Size())/1e6, "arm64-bootstrap-MB")
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
