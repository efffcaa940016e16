package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/cloudflare"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
	"github.com/switchyard-dns/switchyard/infra/local/world"
	"github.com/switchyard-dns/switchyard/test/campaign/invariant"
)

// apiToken is the Cloudflare token of the provider-level tests; it must
// never appear in a log line or an error.
const apiToken = "faults-test-token-MUST-NOT-LEAK-41b7"

// trials is how many times a randomised or racy test repeats: def in CI,
// SWITCHYARD_FAULT_TRIALS for a bigger campaign.
func trials(t *testing.T, def int) int {
	t.Helper()
	if v := os.Getenv("SWITCHYARD_FAULT_TRIALS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("SWITCHYARD_FAULT_TRIALS=%q: want a positive whole number", v)
		}
		return n
	}
	return def
}

// Row is one line of the README "Reliability" table.
type Row struct {
	Fault         string `json:"fault"`
	Injected      string `json:"injected"`
	Trials        int    `json:"trials"`
	Switches      int    `json:"switches"`       // record moves that happened (and were meant to)
	FalseSwitches int    `json:"false_switches"` // moves that must not have happened
	RecordsLost   int    `json:"records_lost"`   // records deleted or duplicated, states half-written
	Held          string `json:"held"`           // what else held, in words
	Command       string `json:"command"`
}

var reportMu sync.Mutex

// report logs r and appends it as a JSON line to $SWITCHYARD_FAULT_REPORT.
func report(t *testing.T, r Row) {
	t.Helper()
	r.Command = "go test -race -run '^" + strings.Split(t.Name(), "/")[0] + "$' ./test/faults/"
	b, _ := json.Marshal(r)
	t.Logf("reliability row: %s", b)
	path := os.Getenv("SWITCHYARD_FAULT_REPORT")
	if path == "" {
		return
	}
	reportMu.Lock()
	defer reportMu.Unlock()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	defer f.Close()
	if _, err := f.Write(append(b, '\n')); err != nil {
		t.Fatalf("report: %v", err)
	}
}

// syncBuffer is a log sink shared by goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// zone is the local Cloudflare-compatible API on a real port, seeded as
// the local world seeds it: the record on the primary and its state TXT at
// gen 0.
type zone struct {
	api  *cloudflareapi.Server
	srv  *httptest.Server
	logs *syncBuffer
	// requests and batches count arrivals (Calls lists a request only once
	// it is answered, and a held one may be answered after the test looks).
	requests, batches atomic.Int64
	// inv checks the zone after every committed write.
	inv *invariant.Checker
}

// lost is the zone's Records lost figure so far (see recordsLost).
func (z *zone) lost() int { return recordsLost(z.inv, z.api) }

func newZone(t *testing.T) *zone {
	t.Helper()
	z := &zone{api: cloudflareapi.New(cloudflareapi.Options{Token: apiToken, ZoneID: world.ZoneID, ZoneName: world.Zone}), logs: &syncBuffer{}}
	z.api.Add(cloudflareapi.Record{Name: world.Record, Type: "CNAME", Content: world.PrimaryTarget, TTL: 60})
	initial := state.State{Active: state.Primary, By: "setup", Reason: "initial state"}
	z.api.Add(cloudflareapi.Record{Name: state.RecordName(world.Record), Type: "TXT", Content: cloudflare.QuoteTXT(initial.Format()), TTL: 60})
	z.inv = watch(z.api)
	h := z.api.Handler()
	z.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		z.requests.Add(1)
		if cloudflareapi.Batches(r) {
			z.batches.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(z.srv.Close)
	t.Cleanup(z.api.ClearFaults) // free held requests first (cleanups run last-in first-out)
	t.Cleanup(func() {
		for _, c := range z.api.Calls() {
			if c.Method == http.MethodDelete {
				t.Errorf("a record was deleted: %+v", c)
			}
		}
		if strings.Contains(z.logs.String(), apiToken) {
			t.Errorf("the API token appears in the logs")
		}
	})
	return z
}

// provider is one decider's own client of the zone: its own connections,
// short timeouts so that hangs cost little test time.
func (z *zone) provider(t *testing.T, mods ...func(*cloudflare.Options)) *cloudflare.Provider {
	t.Helper()
	o := cloudflare.Options{
		APIURL: z.srv.URL + "/client/v4", ZoneID: world.ZoneID, Token: apiToken,
		Record: world.Record, Type: "CNAME", TTL: 60,
		HTTPClient:     &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()},
		RequestTimeout: 300 * time.Millisecond,
		Log:            slog.New(slog.NewJSONHandler(z.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, m := range mods {
		m(&o)
	}
	p, err := cloudflare.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// seen is the zone's switched record and state, read straight from the
// fake's store (not through the client under test).
type seen struct {
	Side  state.Side
	Gen   uint64
	By    string
	Since time.Time
}

// check asserts what must hold after anything at all: exactly one record
// and one state TXT, the state parses, and record and state agree. It
// returns the state.
func (z *zone) check(t *testing.T) seen {
	t.Helper()
	return checkRecords(t, z.api.Records())
}

func checkRecords(t *testing.T, rs []cloudflareapi.Record) seen {
	t.Helper()
	var targets, txts []cloudflareapi.Record
	for _, r := range rs {
		switch {
		case r.Name == world.Record:
			targets = append(targets, r)
		case r.Name == state.RecordName(world.Record):
			txts = append(txts, r)
		}
	}
	if len(targets) != 1 || len(txts) != 1 {
		t.Fatalf("want exactly one record and one state TXT, found %d and %d: %+v", len(targets), len(txts), rs)
	}
	st, err := state.Parse(txts[0].Content)
	if err != nil {
		t.Fatalf("state TXT %q: %v", txts[0].Content, err)
	}
	want := world.PrimaryTarget
	if st.Active == state.Standby {
		want = world.StandbyTarget
	}
	if targets[0].Content != want {
		t.Fatalf("half-written: the record points at %s but the state (gen %d) says %s", targets[0].Content, st.Gen, st.Active)
	}
	return seen{Side: st.Active, Gen: st.Gen, By: st.By, Since: st.Since}
}

// change is the write a decider that read s makes to move to side.
func change(s dns.Snapshot, side state.Side, by string, now time.Time) dns.Change {
	target := world.PrimaryTarget
	if side == state.Standby {
		target = world.StandbyTarget
	}
	cur := s.State
	if !s.HasState {
		cur = state.State{Active: state.Primary}
	}
	return dns.Change{Target: target, State: cur.Next(side, by, "fault campaign", false, now)}
}

// readNow reads the zone through a fresh provider, failing the test on error.
func (z *zone) readNow(t *testing.T) dns.Snapshot {
	t.Helper()
	s, err := z.provider(t).Read(context.Background())
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return s
}
