package cloudflare

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
)

// token is the API token of every test; no error or log line may hold it.
const token = "cf-test-token-MUST-NOT-LEAK-7f3a9c"

const record = "assets.example.com"

// world is the Cloudflare-compatible fake on a real port, a log that the
// providers write to, and an optional hook in front of the fake.
type world struct {
	api  *cloudflareapi.Server
	srv  *httptest.Server
	logs *syncBuffer

	mu   sync.Mutex
	hook func(w http.ResponseWriter, r *http.Request) bool // true: answered
}

func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{api: cloudflareapi.New(cloudflareapi.Options{Token: token, ZoneName: "example.com"}), logs: &syncBuffer{}}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		hook := w.hook
		w.mu.Unlock()
		if hook != nil && hook(rw, r) {
			return
		}
		w.api.Handler().ServeHTTP(rw, r)
	}))
	t.Cleanup(w.srv.Close)
	t.Cleanup(func() {
		for _, c := range w.api.Calls() {
			if c.Method == http.MethodDelete || strings.Contains(c.Query, "delete") {
				t.Errorf("switchyard must never delete a record by itself (only its claim, inside a batch): %+v", c)
			}
		}
		if strings.Contains(w.logs.String(), token) {
			t.Errorf("the token appears in the logs:\n%s", w.logs.String())
		}
	})
	return w
}

func (w *world) setHook(h func(http.ResponseWriter, *http.Request) bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hook = h
}

func (w *world) provider(t testing.TB, typ string, mod ...func(*Options)) *Provider {
	t.Helper()
	o := Options{
		APIURL: w.srv.URL + "/client/v4", ZoneID: w.api.ZoneID(), Token: token,
		Record: record, Type: typ, TTL: 60,
		Backoff: time.Millisecond, // keep retries without Retry-After fast
		Log:     slog.New(slog.NewTextHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, m := range mod {
		m(&o)
	}
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// batches counts the batch requests the fake answered.
func (w *world) batches() int {
	n := 0
	for _, c := range w.api.Calls() {
		if strings.HasSuffix(c.Path, "/dns_records/batch") {
			n++
		}
	}
	return n
}

// switched returns the zone's records but the generation claim, which the
// first write creates before anything else (see dns.Zone) and which a
// failed write may therefore leave behind.
func (w *world) switched() []cloudflareapi.Record {
	var out []cloudflareapi.Record
	for _, r := range w.api.Records() {
		if r.Name != dns.ClaimName(record) {
			out = append(out, r)
		}
	}
	return out
}

// noLeak fails the test when err holds the token.
func noLeak(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), token) {
		t.Errorf("the token appears in the error: %v", err)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

var since = time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)

func standbyState(gen uint64) state.State {
	return state.State{Active: state.Standby, Gen: gen, Since: since, By: "aws:eu-west-1", Reason: `4/5 down (aws,gcp) "timeouts"`}
}

func TestRead(t *testing.T) {
	stored := state.State{Active: state.Primary, Gen: 3, Since: since, By: "manual:ops", Reason: "seeded"}
	tests := []struct {
		name      string
		seed      []cloudflareapi.Record
		want      dns.Snapshot
		wantErr   string // substring; "" means success
		permanent bool
	}{
		{
			name: "no state yet",
			seed: []cloudflareapi.Record{{Name: record, Type: "CNAME", Content: "primary.example.net", TTL: 60}},
			want: dns.Snapshot{Name: record, Type: "CNAME", Content: "primary.example.net", TTL: 60},
		},
		{
			name: "state quoted as Cloudflare returns it",
			seed: []cloudflareapi.Record{
				{Name: record, Type: "CNAME", Content: "primary.example.net", TTL: 60},
				{Name: "_switchyard." + record, Type: "TXT", Content: QuoteTXT(stored.Format())},
				{Name: "other.example.com", Type: "CNAME", Content: "x.example.net"},
			},
			want: dns.Snapshot{Name: record, Type: "CNAME", Content: "primary.example.net", TTL: 60, State: stored, HasState: true},
		},
		{
			name: "state unquoted, as written by hand",
			seed: []cloudflareapi.Record{
				{Name: record, Type: "CNAME", Content: "primary.example.net", TTL: 60},
				{Name: "_switchyard." + record, Type: "TXT", Content: stored.Format()},
			},
			want: dns.Snapshot{Name: record, Type: "CNAME", Content: "primary.example.net", TTL: 60, State: stored, HasState: true},
		},
		{
			name: "two state TXTs: the highest gen wins",
			seed: []cloudflareapi.Record{
				{Name: record, Type: "CNAME", Content: "primary.example.net", TTL: 60},
				{Name: "_switchyard." + record, Type: "TXT", Content: QuoteTXT(state.State{Active: state.Standby, Gen: 2, By: "x"}.Format())},
				{Name: "_switchyard." + record, Type: "TXT", Content: QuoteTXT(stored.Format())},
			},
			want: dns.Snapshot{Name: record, Type: "CNAME", Content: "primary.example.net", TTL: 60, State: stored, HasState: true},
		},
		{
			name:    "missing record",
			seed:    []cloudflareapi.Record{{Name: "other.example.com", Type: "CNAME", Content: "x.example.net"}},
			wantErr: "found 0 CNAME records named assets.example.com", permanent: true,
		},
		{
			name:    "record of another type only",
			seed:    []cloudflareapi.Record{{Name: record, Type: "A", Content: "192.0.2.1"}},
			wantErr: "found 0 CNAME records named assets.example.com", permanent: true,
		},
		{
			name: "duplicate records",
			seed: []cloudflareapi.Record{
				{Name: record, Type: "CNAME", Content: "primary.example.net"},
				{Name: record, Type: "CNAME", Content: "standby.example.net"},
			},
			wantErr: "found 2 CNAME records named assets.example.com", permanent: true,
		},
		{
			name: "unparsable state",
			seed: []cloudflareapi.Record{
				{Name: record, Type: "CNAME", Content: "primary.example.net"},
				{Name: "_switchyard." + record, Type: "TXT", Content: `"google-site-verification=abc"`},
			},
			wantErr: "state TXT _switchyard.assets.example.com", permanent: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			for _, r := range tc.seed {
				w.api.Add(r)
			}
			got, err := w.provider(t, "CNAME").Read(context.Background())
			noLeak(t, err)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				if errors.Is(err, dns.ErrPermanent) != tc.permanent {
					t.Errorf("errors.Is(err, ErrPermanent) = %v, want %v", !tc.permanent, tc.permanent)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.State.Format() != tc.want.State.Format() || !got.State.Since.Equal(tc.want.State.Since) {
				t.Errorf("state = %+v, want %+v", got.State, tc.want.State)
			}
			got.State, tc.want.State = state.State{}, state.State{}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("snapshot = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestWriteSwitchesAndRefusesStale(t *testing.T) {
	tests := []struct {
		typ, primary, standby string
	}{
		{"CNAME", "primary.example.net", "standby.example.net"},
		{"A", "192.0.2.1", "198.51.100.7"},
		{"AAAA", "2001:db8::1", "2001:db8::2"},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			w := newWorld(t)
			ctx := context.Background()
			w.api.Add(cloudflareapi.Record{Name: record, Type: tc.typ, Content: tc.primary, TTL: 300})
			p := w.provider(t, tc.typ)

			// First switch: patches the record and creates the TXT, in
			// one batch.
			got, err := p.Write(ctx, dns.Change{Target: tc.standby, State: standbyState(1)})
			if err != nil {
				t.Fatal(err)
			}
			if got.Content != tc.standby || !got.HasState || got.State.Format() != standbyState(1).Format() || got.TTL != 60 {
				t.Fatalf("read back %+v", got)
			}
			if n := w.batches(); n != 1 {
				t.Fatalf("batch requests = %d, want 1", n)
			}
			recs := w.api.Records()
			// Sorted by name: the generation claim (claim.go), then
			// "_switchyard.assets...", then the record.
			if len(recs) != 3 || recs[0].Name != dns.ClaimName(record) || recs[0].Content != quotedClaim(1) {
				t.Fatalf("records = %+v, want the gen 1 claim first", recs)
			}
			recs = recs[1:]
			if recs[0].Type != "TXT" || recs[0].Name != "_switchyard."+record || recs[0].TTL != 60 || recs[0].Comment == "" {
				t.Fatalf("records = %+v", recs)
			}

			// A writer still holding gen 0 gives up and changes nothing.
			before := w.api.Records()
			_, err = p.Write(ctx, dns.Change{Target: tc.primary, State: state.State{Active: state.Primary, Gen: 1, By: "aws:us-east-1"}})
			if !errors.Is(err, dns.ErrStale) {
				t.Fatalf("stale write: err = %v, want ErrStale", err)
			}
			if after := w.api.Records(); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Fatalf("a stale write changed records:\n%+v\n%+v", before, after)
			}
			if n := w.batches(); n != 1 {
				t.Fatalf("a stale write sent a batch")
			}

			// Failing back with the next gen patches the existing TXT.
			back := state.State{Active: state.Primary, Gen: 2, Since: since.Add(time.Hour), By: "manual:ops", Reason: "recovered"}
			got, err = p.Write(ctx, dns.Change{Target: tc.primary, State: back})
			if err != nil || got.Content != tc.primary || got.State.Gen != 2 {
				t.Fatalf("fail back: %+v, %v", got, err)
			}
			if n := len(w.api.Records()); n != 3 {
				t.Fatalf("records = %d after fail back, want 3: the record, its state TXT (patched, not added) and one claim (swapped)", n)
			}
			if claims := w.claims(); len(claims) != 1 || claims[0] != quotedClaim(2) {
				t.Fatalf("claims = %v after fail back, want only %s", claims, quotedClaim(2))
			}
		})
	}
}

func TestWritePatchesChosenTXTWhenDuplicated(t *testing.T) {
	w := newWorld(t)
	w.api.Add(cloudflareapi.Record{Name: record, Type: "CNAME", Content: "primary.example.net"})
	w.api.Add(cloudflareapi.Record{Name: "_switchyard." + record, Type: "TXT", Content: QuoteTXT(standbyState(1).Format())})
	w.api.Add(cloudflareapi.Record{Name: "_switchyard." + record, Type: "TXT", Content: QuoteTXT(standbyState(1).Format() + " ")})
	p := w.provider(t, "CNAME")
	got, err := p.Write(context.Background(), dns.Change{Target: "primary.example.net", State: state.State{Active: state.Primary, Gen: 2, By: "manual:ops"}})
	if err != nil || got.State.Gen != 2 {
		t.Fatalf("write over duplicated TXT: %+v, %v", got, err)
	}
	if !strings.Contains(w.logs.String(), "several state TXT records") {
		t.Errorf("duplicates were not logged")
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	w := newWorld(t)
	w.api.Add(cloudflareapi.Record{Name: record, Type: "CNAME", Content: "primary.example.net"})
	const wait = 300 * time.Millisecond
	w.api.FailNext(1, http.StatusTooManyRequests, wait)
	p := w.provider(t, "CNAME", func(o *Options) { o.Backoff = time.Hour })

	// Were Retry-After ignored, the hour of backoff would not fit in this
	// deadline and the read would fail at once.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if _, err := p.Read(ctx); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < wait {
		t.Errorf("read took %s: the retry did not wait the %s Retry-After asked for", elapsed, wait)
	}
	var statuses []int
	for _, c := range w.api.Calls() {
		statuses = append(statuses, c.Status)
	}
	if fmt.Sprint(statuses) != "[429 200]" {
		t.Errorf("statuses = %v, want one 429 then the one read (record, claim and state in one list)", statuses)
	}
	if !strings.Contains(w.logs.String(), "retrying") {
		t.Errorf("the retry was not logged")
	}
}

func TestRetryAfterTooLongGivesUp(t *testing.T) {
	w := newWorld(t)
	w.api.FailNext(1, http.StatusTooManyRequests, time.Hour)
	_, err := w.provider(t, "CNAME").Read(context.Background())
	if err == nil || !strings.Contains(err.Error(), "HTTP 429: 971") || errors.Is(err, dns.ErrPermanent) {
		t.Fatalf("err = %v, want the 429, not permanent", err)
	}
	if n := len(w.api.Calls()); n != 1 {
		t.Errorf("calls = %d, want 1: an hour's Retry-After is not waited for", n)
	}
}

func TestServerErrorsExhaustRetries(t *testing.T) {
	w := newWorld(t)
	w.api.Add(cloudflareapi.Record{Name: record, Type: "CNAME", Content: "primary.example.net"})
	w.api.FailNext(100, http.StatusInternalServerError, 0)
	_, err := w.provider(t, "CNAME").Read(context.Background())
	if err == nil || !strings.Contains(err.Error(), "HTTP 500") || errors.Is(err, dns.ErrPermanent) {
		t.Fatalf("err = %v, want a transient HTTP 500", err)
	}
	if n := len(w.api.Calls()); n != 1+DefaultMaxRetries {
		t.Errorf("calls = %d, want %d", n, 1+DefaultMaxRetries)
	}
}

func TestBatchServerErrorsChangeNothing(t *testing.T) {
	w := newWorld(t)
	w.api.Add(cloudflareapi.Record{Name: record, Type: "CNAME", Content: "primary.example.net"})
	before := w.switched()
	// Fail every batch, not the reads around it.
	w.setHook(func(_ http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/batch") {
			w.api.FailNext(1, http.StatusServiceUnavailable, time.Millisecond)
		}
		return false
	})
	_, err := w.provider(t, "CNAME").Write(context.Background(), dns.Change{Target: "standby.example.net", State: standbyState(1)})
	if err == nil || !strings.Contains(err.Error(), "commit: HTTP 503") {
		t.Fatalf("err = %v, want the batch's 503", err)
	}
	if n := w.batches(); n != 1+DefaultMaxRetries {
		t.Errorf("batches = %d, want %d", n, 1+DefaultMaxRetries)
	}
	if after := w.switched(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("records changed:\n%+v\n%+v", before, after)
	}
}

func TestBatchCommittedButAnswerLost(t *testing.T) {
	w := newWorld(t)
	w.api.Add(cloudflareapi.Record{Name: record, Type: "CNAME", Content: "primary.example.net"})
	lost := 1
	w.setHook(func(rw http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/batch") || lost == 0 {
			return false
		}
		lost--
		w.api.Handler().ServeHTTP(httptest.NewRecorder(), r) // commits
		http.Error(rw, "upstream connect error", http.StatusBadGateway)
		return true
	})
	got, err := w.provider(t, "CNAME").Write(context.Background(), dns.Change{Target: "standby.example.net", State: standbyState(1)})
	if err != nil || got.Content != "standby.example.net" {
		t.Fatalf("write = %+v, %v; want success found on the re-read", got, err)
	}
	if n := w.batches(); n != 1 {
		t.Errorf("batches = %d, want 1: the re-read must find the lost batch committed", n)
	}
	txts := 0
	for _, r := range w.api.Records() {
		if r.Type == "TXT" && r.Name == state.RecordName(record) {
			txts++
		}
	}
	if txts != 1 {
		t.Fatalf("TXT records = %d: the lost batch was replayed", txts)
	}
}

func TestPermanentErrors(t *testing.T) {
	tests := []struct {
		name      string
		typ       string
		mod       func(*Options)
		target    string
		wantErr   string
		wantCalls int // none retried: one list, or a list, the claim's creation, a list and the batch
	}{
		{"bad token", "CNAME", func(o *Options) { o.Token = token + "-revoked" }, "standby.example.net", "HTTP 403: 10000 Authentication error", 1},
		{"unknown zone", "CNAME", func(o *Options) { o.ZoneID = "ffffffffffffffffffffffffffffffff" }, "standby.example.net", "7003 Could not route", 1},
		{"batch rejected: invalid A content", "A", nil, "not-an-address", "9005 Content for A record must be a valid IPv4 address.", 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			content := "192.0.2.1"
			if tc.typ == "CNAME" {
				content = "primary.example.net"
			}
			w.api.Add(cloudflareapi.Record{Name: record, Type: tc.typ, Content: content})
			before := w.switched()
			var mods []func(*Options)
			if tc.mod != nil {
				mods = append(mods, tc.mod)
			}
			_, err := w.provider(t, tc.typ, mods...).Write(context.Background(), dns.Change{Target: tc.target, State: standbyState(1)})
			noLeak(t, err)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, dns.ErrPermanent) {
				t.Fatalf("err = %v, want permanent and containing %q", err, tc.wantErr)
			}
			if after := w.switched(); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Fatalf("records changed:\n%+v\n%+v", before, after)
			}
			if n := len(w.api.Calls()); n != tc.wantCalls {
				t.Errorf("calls = %d, want %d: a permanent error is not retried", n, tc.wantCalls)
			}
		})
	}
}

func TestSuccessFalseIsAnError(t *testing.T) {
	w := newWorld(t)
	w.api.Add(cloudflareapi.Record{Name: record, Type: "CNAME", Content: "primary.example.net"})
	w.setHook(func(rw http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/batch") {
			return false
		}
		rw.Header().Set("Content-Type", "application/json")
		fmt.Fprint(rw, `{"success":false,"errors":[{"code":1234,"message":"something odd"}],"messages":[],"result":null}`)
		return true
	})
	_, err := w.provider(t, "CNAME").Write(context.Background(), dns.Change{Target: "standby.example.net", State: standbyState(1)})
	if err == nil || !strings.Contains(err.Error(), `"success": false: 1234 something odd`) || !errors.Is(err, dns.ErrPermanent) {
		t.Fatalf("err = %v, want the success:false answer as a permanent error", err)
	}
}

func TestInvalidChange(t *testing.T) {
	w := newWorld(t)
	w.api.Add(cloudflareapi.Record{Name: record, Type: "CNAME", Content: "primary.example.net"})
	p := w.provider(t, "CNAME")
	tests := []struct {
		name string
		c    dns.Change
		want string
	}{
		{"empty target", dns.Change{State: standbyState(1)}, "target is empty"},
		{"gen 0", dns.Change{Target: "x.example.net", State: standbyState(0)}, "state gen is 0"},
		{"bad side", dns.Change{Target: "x.example.net", State: state.State{Active: "sideways", Gen: 1}}, "sideways"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Write(context.Background(), tc.c)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, dns.ErrPermanent) {
				t.Fatalf("err = %v, want permanent and containing %q", err, tc.want)
			}
		})
	}
	if n := len(w.api.Calls()); n != 0 {
		t.Errorf("an invalid change made %d requests", n)
	}
}

func TestNewValidatesOptions(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want []string
	}{
		{"everything missing", Options{}, []string{"ZoneID is empty", "Token is empty", `Record ""`, `Type ""`}},
		{"bad values", Options{APIURL: "ftp://x", ZoneID: "z", Token: "tok en" + token, Record: "a.example.com", Type: "MX", TTL: 30},
			[]string{`APIURL "ftp://x"`, "Token holds spaces", `Type "MX"`, "TTL 30"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.o)
			if err == nil {
				t.Fatal("want an error")
			}
			noLeak(t, err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if _, err := New(Options{ZoneID: "z", Token: token, Record: "Assets.Example.com.", Type: "cname"}); err != nil {
		t.Errorf("defaults and normalisation: %v", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	tests := []struct {
		header string
		want   time.Duration
		ok     bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{"0.25", 250 * time.Millisecond, true},
		{"Wed, 25 Nov 2026 17:00:30 GMT", 30 * time.Second, true},
		{"Wed, 25 Nov 2026 16:00:00 GMT", 0, true},
		{"-3", 0, false},
		{"soon", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.header, func(t *testing.T) {
			h := http.Header{}
			if tc.header != "" {
				h.Set("Retry-After", tc.header)
			}
			got, ok := parseRetryAfter(h, now)
			if got != tc.want || ok != tc.ok {
				t.Errorf("got %s, %v; want %s, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// claims returns the contents of the generation claims in the zone.
func (w *world) claims() []string {
	var out []string
	for _, r := range w.api.Records() {
		if r.Name == dns.ClaimName(record) {
			out = append(out, r.Content)
		}
	}
	return out
}

// A state TXT set back by hand below its claim must not wedge every later
// write: readers carry on from the claim's generation.
func TestStateSetBackBelowItsClaim(t *testing.T) {
	w := newWorld(t)
	w.api.Add(cloudflareapi.Record{Name: record, Type: "CNAME", Content: "primary.example.net"})
	old := state.State{Active: state.Primary, Gen: 2, Since: since, By: "manual:ops", Reason: "restored from a backup"}
	w.api.Add(cloudflareapi.Record{Name: "_switchyard." + record, Type: "TXT", Content: QuoteTXT(old.Format())})
	w.api.Add(cloudflareapi.Record{Name: dns.ClaimName(record), Type: "TXT", Content: quotedClaim(5)})
	p := w.provider(t, "CNAME")
	snap, err := p.Read(context.Background())
	if err != nil || snap.State.Gen != 5 {
		t.Fatalf("Read = gen %d, %v; want the claim's gen 5", snap.State.Gen, err)
	}
	next := snap.State.Next(state.Standby, "aws:eu-west-1", "4/4 down", false, since.Add(time.Hour))
	got, err := p.Write(context.Background(), dns.Change{Target: "standby.example.net", State: next})
	if err != nil || got.State.Gen != 6 || got.Content != "standby.example.net" {
		t.Fatalf("Write = %+v, %v; want standby at gen 6", got, err)
	}
	if claims := w.claims(); len(claims) != 1 || claims[0] != quotedClaim(6) {
		t.Errorf("claims = %v, want only %s", claims, quotedClaim(6))
	}
}

// A state TXT nobody can parse stops automation, but a forced write may
// overwrite it (patching that TXT, never adding a second one).
func TestUnparsableStateIsOnlyOverwrittenWhenForced(t *testing.T) {
	w := newWorld(t)
	w.api.Add(cloudflareapi.Record{Name: record, Type: "CNAME", Content: "primary.example.net"})
	w.api.Add(cloudflareapi.Record{Name: "_switchyard." + record, Type: "TXT", Content: `"edited by hand"`})
	p := w.provider(t, "CNAME")
	snap, err := p.Read(context.Background())
	var bad *dns.BadStateError
	if !errors.As(err, &bad) || !errors.Is(err, dns.ErrPermanent) || snap.Content != "primary.example.net" {
		t.Fatalf("Read = %+v, %v; want the record and a permanent *BadStateError", snap, err)
	}
	next := state.State{}.Next(state.Standby, "manual:ops", "overwrite", true, since)
	if _, err := p.Write(context.Background(), dns.Change{Target: "standby.example.net", State: next}); !errors.As(err, &bad) {
		t.Fatalf("unforced Write: %v, want *BadStateError", err)
	}
	got, err := p.Write(context.Background(), dns.Change{Target: "standby.example.net", State: next, OverwriteBadState: true})
	if err != nil || got.Content != "standby.example.net" || got.State.Gen != 1 {
		t.Fatalf("forced Write = %+v, %v; want standby at gen 1", got, err)
	}
	txts := 0
	for _, r := range w.api.Records() {
		if r.Name == "_switchyard."+record {
			txts++
		}
	}
	if txts != 1 {
		t.Errorf("%d state TXTs after the overwrite, want the one patched", txts)
	}
}

// quotedClaim is a claim's content as Cloudflare stores it.
func quotedClaim(gen uint64) string { return QuoteTXT(dns.ClaimContent(gen)) }

// TestProxiedRecordStaysProxied: a record the user proxies through
// Cloudflare (whose TTL is therefore automatic) is switched and failed back
// with its proxy status and automatic TTL as the user set them; only its
// content moves. The state TXT gets SWITCHYARD_RECORD_TTL as always.
func TestProxiedRecordStaysProxied(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.api.Add(cloudflareapi.Record{Name: record, Type: "CNAME", Content: "primary.example.net", TTL: 1, Proxied: true})
	p := w.provider(t, "CNAME")
	back := state.State{Active: state.Primary, Gen: 2, Since: since.Add(time.Hour), By: "manual:ops", Reason: "recovered"}
	for _, step := range []struct {
		target string
		st     state.State
	}{{"standby.example.net", standbyState(1)}, {"primary.example.net", back}} {
		if _, err := p.Write(ctx, dns.Change{Target: step.target, State: step.st}); err != nil {
			t.Fatalf("switch to %s: %v", step.target, err)
		}
		for _, r := range w.api.Records() {
			switch {
			case r.Name == record && (r.Content != step.target || !r.Proxied || r.TTL != 1):
				t.Errorf("after the switch to %s: record %+v, want it pointed there, still proxied, TTL automatic (1)", step.target, r)
			case r.Name == dns.StateName(record) && r.TTL != 60:
				t.Errorf("state TXT TTL %d, want SWITCHYARD_RECORD_TTL 60", r.TTL)
			}
		}
	}
}

// unhooked is a second client of w's zone that bypasses its hook: a
// writer the test runs from inside the hook.
func (w *world) unhooked(t *testing.T) *Provider {
	t.Helper()
	srv := httptest.NewServer(w.api.Handler())
	t.Cleanup(srv.Close)
	p, err := New(Options{APIURL: srv.URL + "/client/v4", ZoneID: w.api.ZoneID(), Token: token, Record: record, Type: "CNAME", TTL: 60})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A writer whose batch committed is told so, even when a newer write
// replaced it before the read-back: ErrSuperseded, never ErrStale ("another
// writer got in first"), which would be a lie.
func TestReadBackSaysWhetherThisWriteCommitted(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.api.Add(cloudflareapi.Record{Name: record, Type: "CNAME", Content: "primary.example.net"})
	other := w.unhooked(t)
	var otherErr error
	done := false
	w.setHook(func(rw http.ResponseWriter, r *http.Request) bool {
		if done || !strings.HasSuffix(r.URL.Path, "/batch") {
			return false
		}
		done = true
		rec := httptest.NewRecorder()
		w.api.Handler().ServeHTTP(rec, r) // this writer's batch commits gen 1
		// Before it can read back, another writer moves on to gen 2.
		var at1 dns.Snapshot
		if at1, otherErr = other.Read(ctx); otherErr == nil {
			next := at1.State.Next(state.Primary, "manual:ops", "back", false, since.Add(time.Minute))
			_, otherErr = other.Write(ctx, dns.Change{Target: "primary.example.net", State: next})
		}
		for k, v := range rec.Header() {
			rw.Header()[k] = v
		}
		rw.WriteHeader(rec.Code)
		_, _ = rw.Write(rec.Body.Bytes())
		return true
	})
	got, err := w.provider(t, "CNAME").Write(ctx, dns.Change{Target: "standby.example.net", State: standbyState(1)})
	if otherErr != nil {
		t.Fatal(otherErr)
	}
	if !errors.Is(err, dns.ErrSuperseded) || errors.Is(err, dns.ErrStale) || !strings.Contains(err.Error(), "this write committed gen 1") {
		t.Fatalf("err = %v, want ErrSuperseded saying this write committed", err)
	}
	if got.State.Gen != 2 || got.Content != "primary.example.net" {
		t.Errorf("snapshot = %+v, want the newer gen 2 read back", got)
	}

	// A batch that never committed is ErrStale.
	stale := standbyState(2) // prepared from gen 1, which is gone
	if _, err := w.provider(t, "CNAME").Write(ctx, dns.Change{Target: "standby.example.net", State: stale}); !errors.Is(err, dns.ErrStale) || errors.Is(err, dns.ErrSuperseded) {
		t.Fatalf("stale write: %v, want ErrStale", err)
	}
}

// A read is one snapshot: a writer switching between any two requests of a
// read must not make the record and its state TXT disagree, which a vantage
// point would take for a person's change and refuse to touch.
func TestReadIsOneSnapshot(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	const primary, standby = "primary.example.net", "standby.example.net"
	w.api.Add(cloudflareapi.Record{Name: record, Type: "CNAME", Content: primary})
	writer := w.unhooked(t)
	flip := func() error {
		cur, err := writer.Read(ctx)
		if err != nil {
			return err
		}
		side, target := state.Standby, standby
		if cur.State.Active == state.Standby {
			side, target = state.Primary, primary
		}
		_, err = writer.Write(ctx, dns.Change{Target: target, State: cur.State.Next(side, "aws:eu-west-1", "flip", false, since)})
		return err
	}
	var flipErr error
	gets := 0
	w.setHook(func(_ http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet {
			return false
		}
		// Another vantage point switches before every other list call:
		// between two calls of one read, were a read several calls.
		if gets++; gets%2 == 0 && flipErr == nil {
			flipErr = flip()
		}
		return false
	})
	reader := w.provider(t, "CNAME")
	seen := map[state.Side]bool{}
	for i := range 6 {
		snap, err := reader.Read(ctx)
		if err != nil || flipErr != nil {
			t.Fatalf("read %d: %v (writer: %v)", i, err, flipErr)
		}
		st, err := snap.Current(primary, standby)
		if err != nil {
			t.Fatalf("read %d is torn: %v", i, err)
		}
		seen[st.Active] = true
	}
	if len(seen) != 2 {
		t.Fatalf("the reader saw only %v: the writer never switched between reads", seen)
	}
}

// A record re-pointed by hand between the decision read and the write (the
// state TXT and claim untouched) is never overwritten by automation; only
// a write without From, as a forced manual move sends, replaces it.
func TestWriteRefusesAHandChange(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.api.Add(cloudflareapi.Record{Name: record, Type: "CNAME", Content: "primary.example.net", TTL: 300})
	p := w.provider(t, "CNAME")
	if _, err := p.Write(ctx, dns.Change{Target: "primary.example.net", State: state.State{Active: state.Primary, Gen: 1, Since: since, By: "setup"}}); err != nil {
		t.Fatal(err)
	}
	snap, err := p.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range w.api.Records() {
		if r.Name != record {
			continue
		}
		// A person's edit, through the API as the dashboard makes it.
		req, _ := http.NewRequest(http.MethodPatch, w.srv.URL+"/client/v4/zones/"+w.api.ZoneID()+"/dns_records/"+r.ID,
			strings.NewReader(`{"content":"maintenance.example.net"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("hand edit: %s", resp.Status)
		}
	}
	hand := w.api.Records()
	batches := w.batches()
	_, err = p.Write(ctx, dns.Change{Target: "standby.example.net", State: standbyState(2), From: snap.Content})
	if !errors.Is(err, dns.ErrStale) {
		t.Fatalf("err = %v, want ErrStale", err)
	}
	if after := w.api.Records(); fmt.Sprint(after) != fmt.Sprint(hand) {
		t.Fatalf("the hand change was overwritten:\n%+v\n%+v", hand, after)
	}
	if w.batches() != batches {
		t.Fatalf("a refused write sent a batch")
	}
	got, err := p.Write(ctx, dns.Change{Target: "standby.example.net", State: standbyState(2)})
	if err != nil || got.Content != "standby.example.net" {
		t.Fatalf("forced write: %+v, %v", got, err)
	}
}
