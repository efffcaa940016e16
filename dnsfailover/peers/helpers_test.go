package peers

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
)

// Test keys. Tests check that none of them ever reaches a log or an error.
var (
	keyOld   = []byte("old-secret-0123456789abcdef0123456789")
	keyNew   = []byte("new-secret-0123456789abcdef0123456789")
	keyWrong = []byte("wrong-secret-0123456789abcdef01234567")
)

var t0 = time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)

// clock is a settable time source shared by handler and client.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(t time.Time) *clock { return &clock{now: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// observation is what a peer with id reports at.
func observation(id string, at time.Time) Observation {
	return Observation{
		Vantage: id,
		At:      at,
		Primary: probe.Result{Target: "https://primary.example/canary", Status: 503, Latency: 120 * time.Millisecond, Reason: "status 503", At: at},
		Standby: probe.Result{Target: "https://standby.example/canary", OK: true, Status: 200, Latency: 40 * time.Millisecond, At: at},
	}
}

// logBuffer collects JSON log lines from every goroutine of a test.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// peerServer is a real Handler on a real port.
type peerServer struct {
	Peer    Peer
	Handler *Handler
	Logs    *logBuffer
}

// startPeer serves a Handler for id on port 0. opts.Observe defaults to
// reporting observation(id, now); opts.Now to clk.
func startPeer(t *testing.T, id string, clk *clock, opts HandlerOptions) peerServer {
	t.Helper()
	logs := &logBuffer{}
	if opts.Self == "" {
		opts.Self = id
	}
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	if opts.Observe == nil {
		opts.Observe = func(context.Context) Observation { return observation(id, clk.Now()) }
	}
	if opts.Log == nil {
		opts.Log = logs.logger()
	}
	h, err := NewHandler(opts)
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return peerServer{Peer: Peer{ID: id, URL: srv.URL}, Handler: h, Logs: logs}
}

// newClient is the client of vantage aws:us-east-1 with key and clk.
func newClient(key []byte, clk *clock) *Client {
	return &Client{Self: "aws:us-east-1", Secret: key, Timeout: 5 * time.Second, Now: clk.Now}
}

// sameJSON fails the test unless got and want encode the same.
func sameJSON(t *testing.T, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Fatalf("got  %s\nwant %s", g, w)
	}
}

// send posts a copy of body with header to url and returns the status and
// the decoded refusal (zero on success).
func send(t *testing.T, url string, method string, header http.Header, body []byte) (int, errorReply) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	var e errorReply
	if resp.StatusCode != http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
			t.Fatalf("decoding refusal (HTTP %d): %v", resp.StatusCode, err)
		}
	}
	return resp.StatusCode, e
}
