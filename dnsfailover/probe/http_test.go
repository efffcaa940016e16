package probe

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const canary = "switchyard canary v1\n"

func sum(s string) string {
	b := sha256.Sum256([]byte(s))
	return hex.EncodeToString(b[:])
}

// mustNew builds a check or stops the test.
func mustNew(t *testing.T, spec Spec) Func {
	t.Helper()
	f, err := New(spec)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return f
}

// wantResult compares the parts of r a test controls.
func wantResult(t *testing.T, r Result, ok bool, status int, reason string) {
	t.Helper()
	if r.OK != ok || r.Status != status || !strings.Contains(r.Reason, reason) || (ok && r.Reason != "") {
		t.Errorf("got OK=%v status=%d reason=%q, want OK=%v status=%d reason containing %q", r.OK, r.Status, r.Reason, ok, status, reason)
	}
	if r.At.IsZero() {
		t.Errorf("At not set")
	}
}

func TestHTTP(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/canary", func(w http.ResponseWriter, r *http.Request) {
		// The origin sees who asks and that no cache may answer for it.
		if r.Header.Get("User-Agent") != "switchyard-probe" || r.Header.Get("Cache-Control") != "no-cache" {
			http.Error(w, "bad probe headers", http.StatusBadRequest)
			return
		}
		w.Write([]byte(canary))
	})
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, MaxBody+1))
	})
	mux.HandleFunc("/exact", func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, MaxBody))
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/canary", http.StatusFound)
	})
	mux.HandleFunc("/offsite", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://standby.example/canary", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/truncated", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.Write([]byte(canary)) // fewer bytes than promised: the server hangs up
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	tests := []struct {
		name     string
		path     string
		sha, has string
		ok       bool
		status   int
		reason   string
	}{
		{name: "ok with hash and substring", path: "/canary", sha: sum(canary), has: "canary v1", ok: true, status: 200},
		{name: "ok unchecked content", path: "/canary", ok: true, status: 200},
		{name: "upper-case hash accepted", path: "/canary", sha: strings.ToUpper(sum(canary)), ok: true, status: 200},
		{name: "server error", path: "/down", status: 503, reason: "status 503 Service Unavailable"},
		{name: "not found", path: "/missing", status: 404, reason: "status 404 Not Found"},
		{name: "wrong hash", path: "/canary", sha: sum("stale"), status: 200, reason: "body sha256 " + sum(canary)[:12] + "…, want " + sum("stale")[:12]},
		{name: "missing substring", path: "/canary", has: "v2", status: 200, reason: `does not contain "v2"`},
		{name: "wrong hash and substring both said", path: "/canary", sha: sum("x"), has: "v2", status: 200, reason: `(21 bytes); body (21 bytes) does not contain "v2"`},
		{name: "body over the limit", path: "/huge", status: 200, reason: "body larger than the 16 MiB limit"},
		{name: "body at the limit", path: "/exact", ok: true, status: 200},
		{name: "same-host redirect followed", path: "/moved", has: "canary", ok: true, status: 200},
		{name: "off-host redirect refused", path: "/offsite", status: 301, reason: "status 301 Moved Permanently: redirect to another host standby.example, not followed"},
		{name: "body cut short", path: "/truncated", status: 200, reason: "the connection closed before the whole body arrived"},
		{name: "redirect loop", path: "/loop", status: 302, reason: "more than 5 redirects"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := mustNew(t, Spec{URL: srv.URL + tt.path, SHA256: tt.sha, Contains: tt.has, Timeout: 5 * time.Second})
			r := check(context.Background())
			wantResult(t, r, tt.ok, tt.status, tt.reason)
			if r.Target != srv.URL+tt.path {
				t.Errorf("Target = %q, want %q", r.Target, srv.URL+tt.path)
			}
		})
	}
}

func TestHTTPConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now

	r := mustNew(t, Spec{URL: "http://" + addr + "/canary"})(context.Background())
	wantResult(t, r, false, 0, "connection refused")
}

func TestHTTPTargetHidesSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nope", http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	u := srv.URL + "/canary?v=3&X-Amz-Signature=s3cr3t&token=t0k3n"

	r := mustNew(t, Spec{URL: u})(context.Background())
	wantResult(t, r, false, 403, "status 403 Forbidden")
	for _, secret := range []string{"s3cr3t", "t0k3n"} {
		if strings.Contains(r.Target, secret) || strings.Contains(r.Reason, secret) {
			t.Errorf("result leaks %q: Target=%q Reason=%q", secret, r.Target, r.Reason)
		}
	}
	if want := srv.URL + "/canary?X-Amz-Signature=REDACTED&token=REDACTED&v=3"; r.Target != want {
		t.Errorf("Target = %q, want %q", r.Target, want)
	}
}

func TestHTTPTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(canary))
	}))
	t.Cleanup(srv.Close)
	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)
	trusting := srv.Client() // trusts the test CA, and nothing else changed

	tests := []struct {
		name   string
		url    string
		client *http.Client
		ok     bool
		status int
		reason string
	}{
		{name: "untrusted certificate fails", url: srv.URL, reason: "TLS: certificate signed by an unknown authority"},
		{name: "trusted through Spec.HTTPClient", url: srv.URL, client: trusting, ok: true, status: 200},
		{name: "trusted CA, wrong name", url: strings.Replace(srv.URL, "127.0.0.1", "localhost", 1), client: trusting, reason: "TLS: x509: certificate is valid for"},
		{name: "plain HTTP origin on https URL", url: strings.Replace(plain.URL, "http://", "https://", 1), reason: "TLS: the origin answered plain HTTP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustNew(t, Spec{URL: tt.url + "/canary", Contains: "canary", HTTPClient: tt.client})(context.Background())
			wantResult(t, r, tt.ok, tt.status, tt.reason)
		})
	}
}

// fakeClock moves only when the test says so, which makes latencies exact.
type fakeClock struct {
	base   time.Time
	offset atomic.Int64
}

func newFakeClock() *fakeClock {
	return &fakeClock{base: time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time          { return c.base.Add(time.Duration(c.offset.Load())) }
func (c *fakeClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// stallingServer sends the status line and half the canary, then tells the
// test (sent) and waits until the test lets it finish (release) or the
// client gives up.
func stallingServer(t *testing.T) (srv *httptest.Server, sent <-chan struct{}, release chan<- struct{}) {
	s, rel := make(chan struct{}, 1), make(chan struct{})
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(canary[:5]))
		w.(http.Flusher).Flush()
		s <- struct{}{}
		select {
		case <-rel:
			w.Write([]byte(canary[5:]))
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	return srv, s, rel
}

func TestHTTPLatencyBudgetCountsTheWholeBody(t *testing.T) {
	tests := []struct {
		name   string
		stall  time.Duration // clock advance after the first bytes arrived
		ok     bool
		reason string
	}{
		{name: "within budget", stall: 1500 * time.Millisecond, ok: true},
		{name: "at budget", stall: 2 * time.Second, ok: true},
		{name: "slow body over budget", stall: 2500 * time.Millisecond, reason: "slow: 2.5s, budget 2s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, sent, release := stallingServer(t)
			clock := newFakeClock()
			check := mustNew(t, Spec{URL: srv.URL, Contains: "canary", LatencyBudget: 2 * time.Second, Now: clock.Now})

			done := make(chan Result)
			go func() { done <- check(context.Background()) }()
			<-sent
			clock.Advance(tt.stall)
			close(release)
			r := <-done

			wantResult(t, r, tt.ok, 200, tt.reason)
			if r.Latency != tt.stall {
				t.Errorf("Latency = %s, want %s", r.Latency, tt.stall)
			}
			if !r.At.Equal(clock.base) {
				t.Errorf("At = %s, want the start %s", r.At, clock.base)
			}
		})
	}
}

func TestHTTPTimeouts(t *testing.T) {
	// Nothing releases these servers: only a deadline ends the checks.
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(silent.Close)
	stalling, _, _ := stallingServer(t)

	canceled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name    string
		url     string
		ctx     func(t *testing.T) context.Context
		timeout time.Duration
		status  int
		reason  string
	}{
		{name: "no answer within Timeout", url: silent.URL, timeout: 50 * time.Millisecond, reason: "timeout after 50ms"},
		{name: "body stalls past Timeout", url: stalling.URL, timeout: 50 * time.Millisecond, status: 200, reason: "timeout after 50ms while reading the body (status 200 OK)"},
		{name: "caller deadline first", url: silent.URL, timeout: time.Minute, reason: "(the caller's deadline)", ctx: func(t *testing.T) context.Context {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			t.Cleanup(cancel)
			return ctx
		}},
		{name: "caller canceled", url: silent.URL, timeout: time.Minute, reason: "canceled by the caller", ctx: func(*testing.T) context.Context { return canceled }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.ctx != nil {
				ctx = tt.ctx(t)
			}
			r := mustNew(t, Spec{URL: tt.url, Timeout: tt.timeout})(ctx)
			wantResult(t, r, false, tt.status, tt.reason)
			if r.Latency > 10*time.Second {
				t.Errorf("Latency = %s: the check did not stop at its deadline", r.Latency)
			}
		})
	}
}
