package lambda

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/test/internal/rie"
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

// BenchmarkScheduledRunBilled measures what the Lambda form costs: one
// scheduled run at the real schedule (a minute) and the default interval
// (10 s) against the local world with both origins up, for each hand-over.
// A run is what each minute bills, so the emulator's "Billed Duration" of
// the run is the billed seconds per minute; the function's output during
// the run (JSON logs, EMF lines and the platform's START/END/REPORT lines,
// all of which CloudWatch Logs ingests) is the log volume per minute, and
// VmHWM the bootstrap's peak memory after it. About a minute per run:
//
//	go test -run '^$' -bench ScheduledRunBilled -benchtime 1x ./test/lambda
//
// The origins here answer in a millisecond; across the internet each
// round takes longer by its checks' latency (at most PROBE_TIMEOUT).
func BenchmarkScheduledRunBilled(b *testing.B) {
	for _, handOver := range []time.Duration{10 * time.Second, 20 * time.Second} {
		b.Run("handover="+handOver.String(), func(b *testing.B) {
			_, _, env := prepare(b, 90*time.Second, func(c *config.Config) {
				c.Interval, c.FastInterval = 10*time.Second, 0
				c.LambdaSchedule, c.LambdaHandover = time.Minute, handOver
			})
			em := rie.Start(b, rie.Build(b, "./functions/probe", ""), env)
			event := golden(b, "scheduled-event.json")
			var billed time.Duration
			var logBytes int
			var hwm int64
			for i := range b.N {
				before := len(em.Out.String())
				out := em.Invoke(b, event)
				if !bytes.Contains(out, []byte(`"rounds":7`)) && !bytes.Contains(out, []byte(`"rounds":8`)) {
					b.Logf("scheduled run answered %s", out)
				}
				// The REPORT line follows the response; wait for this run's.
				for len(em.Out.Billed()) < i+1 {
					if em.Out.Await("REPORT RequestId:", time.Second) == nil {
						b.Fatal("no REPORT line from the emulator")
					}
				}
				billed += em.Out.Billed()[i]
				logBytes += len(em.Out.String()) - before
				hwm = max(hwm, peakRSS(b, em.BootstrapPID(b)))
			}
			b.ReportMetric(billed.Seconds()/float64(b.N), "billed-s/run")
			b.ReportMetric(float64(logBytes)/1000/float64(b.N), "log-KB/run")
			b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MiB")
		})
	}
}
