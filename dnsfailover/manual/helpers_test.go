package manual_test

import (
	"bytes"
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns/cloudflare"
	"github.com/switchyard-dns/switchyard/dnsfailover/manual"
	"github.com/switchyard-dns/switchyard/dnsfailover/peers"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/topology"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
)

const (
	record  = "assets.example.com"
	primary = "primary.example.net"
	standby = "standby.example.org"
	token   = "manual-test-token-DO-NOT-PRINT"
)

// origin is a real HTTP origin whose health a test switches.
type origin struct {
	srv  *httptest.Server
	down atomic.Bool
}

func newOrigin(t *testing.T) *origin {
	o := &origin{}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("canary"))
	}))
	t.Cleanup(o.srv.Close)
	return o
}

// harness is a Manual over the real Cloudflare provider, talking to the
// local Cloudflare-compatible API, and real HTTP origins.
type harness struct {
	cf      *cloudflareapi.Server
	primary *origin
	standby *origin
	m       *manual.Manual
	logs    *bytes.Buffer
	now     time.Time
	// failBatch, when set, makes every batch request fail with this status
	// (the reads before it succeed): a DNS API failure mid-way.
	failBatch atomic.Int32
}

type harnessOptions struct {
	content string // the record's initial content; default primary
	state   string // the state TXT's initial content; "" for none
	peers   []peers.Peer
	self    string
	// minDwell is SWITCHYARD_MIN_DWELL; default 10m.
	minDwell time.Duration
	topo     *topology.Analysis
}

func newHarness(t *testing.T, ho harnessOptions) *harness {
	t.Helper()
	h := &harness{primary: newOrigin(t), standby: newOrigin(t), logs: &bytes.Buffer{},
		now: time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)}
	h.cf = cloudflareapi.New(cloudflareapi.Options{Token: token, ZoneName: "example.com"})
	if ho.content == "" {
		ho.content = primary
	}
	h.cf.Add(cloudflareapi.Record{Name: record, Type: "CNAME", Content: ho.content, TTL: 60})
	if ho.state != "" {
		h.cf.Add(cloudflareapi.Record{Name: state.RecordName(record), Type: "TXT", Content: cloudflare.QuoteTXT(ho.state), TTL: 60})
	}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status := h.failBatch.Load(); status != 0 && strings.HasSuffix(r.URL.Path, "/batch") {
			h.cf.FailNext(1, int(status), 0)
		}
		h.cf.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(api.Close)
	p, err := cloudflare.New(cloudflare.Options{
		APIURL: api.URL + "/client/v4", ZoneID: h.cf.ZoneID(), Token: token,
		Record: record, Type: "CNAME", TTL: 60, MaxRetries: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.m = manual.New(manual.Options{
		DNS:     p,
		Primary: check(t, h.primary.srv.URL), Standby: check(t, h.standby.srv.URL),
		PrimaryTarget: primary, StandbyTarget: standby,
		Peers: ho.peers, Self: ho.self, Failback: "manual", MinDwell: cmp.Or(ho.minDwell, 10*time.Minute), PeerTimeout: time.Second,
		Topology: func() *topology.Analysis { return ho.topo },
		Log:      slog.New(slog.NewJSONHandler(h.logs, nil)),
		Now:      func() time.Time { return h.now },
	})
	return h
}

func check(t *testing.T, url string) probe.Func {
	f, err := probe.New(probe.Spec{URL: url, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// record returns the switched record's content and its decoded state as
// the API holds them now.
func (h *harness) record(t *testing.T) (string, state.State) {
	t.Helper()
	var content string
	var st state.State
	for _, r := range h.cf.Records() {
		switch r.Name {
		case record:
			content = r.Content
		case state.RecordName(record):
			s, err := state.Parse(r.Content)
			if err != nil {
				t.Fatalf("state TXT %q: %v", r.Content, err)
			}
			st = s
		}
	}
	return content, st
}

// batches counts the write requests the API has answered.
func (h *harness) batches() int {
	n := 0
	for _, c := range h.cf.Calls() {
		if c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/batch") {
			n++
		}
	}
	return n
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

const initialState = `v=1 active=primary gen=4 since=2026-11-01T00:00:00Z by=setup pinned=0 reason="initial"`
