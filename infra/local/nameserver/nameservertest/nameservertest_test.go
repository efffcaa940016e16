package nameservertest

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/switchyard-dns/switchyard/infra/local/nameserver"
)

// recorder is a testing.TB whose Skip and Fatalf record what they were told
// and end the goroutine as testing's do, without ending the real test.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}

func (r *recorder) Skip(args ...any) {
	r.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *recorder) Fatalf(f string, a ...any) {
	r.failed = fmt.Sprintf(f, a...)
	runtime.Goexit()
}

// need runs Need on its own goroutine, as a test body runs, and returns
// what it decided.
func need(t *testing.T, kind nameserver.Kind) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Need(r, kind)
	}()
	<-done
	return r
}

// A missing server skips a test on a developer's machine, and fails it
// under CI=true, where scripts/test installed both servers and a skip would
// pass the RFC 2136 tests without running them.
func TestNeedFailsUnderCI(t *testing.T) {
	missing := nameserver.Kind("nsd") // no such kind: Look fails wherever this runs

	t.Setenv("CI", "")
	r := need(t, missing)
	if r.failed != "" || !strings.Contains(r.skipped, "skipping the nsd tests") {
		t.Errorf("CI unset: skipped %q, failed %q; want a skip", r.skipped, r.failed)
	}

	t.Setenv("CI", "true")
	r = need(t, missing)
	if r.skipped != "" || !strings.Contains(r.failed, "CI must run them") {
		t.Errorf("CI=true: skipped %q, failed %q; want a failure", r.skipped, r.failed)
	}
}
