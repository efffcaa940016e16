// Package cloudflareapi is an in-process stand-in for the part of the
// Cloudflare v4 API that manages one zone's DNS records, faithful enough that
// the unmodified cloudflare-go client works against it: the same paths,
// envelope, status codes, error codes, list filters and pagination, and a
// batch endpoint that runs deletes, patches, puts and posts as one
// transaction (any error: nothing changes).
//
// The local world serves it over HTTP and hands its records to a real DNS
// server (OnChange, Records); tests use FailNext to make it misbehave like
// the real API under load, and Calls to see what a client sent.
package cloudflareapi

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a Server.
type Options struct {
	// Token is the API token every request must present as
	// "Authorization: Bearer <Token>". An empty Token rejects every request.
	Token string
	// ZoneID is the zone's id in paths (default: a fixed 32-hex id);
	// ZoneName its apex (default "example.com").
	ZoneID, ZoneName string
	// Now is the clock for created_on/modified_on (default time.Now).
	Now func() time.Time
}

// DefaultZoneID is the zone id used when Options.ZoneID is empty.
const DefaultZoneID = "023e105f4ecef8ad9ca31a8372d0c353"

// Call is one request the server answered.
type Call struct {
	Method string
	Path   string
	Query  string // raw query string
	Status int
}

// Server holds one zone's records. It is safe for concurrent use.
type Server struct {
	token    string
	zoneID   string
	zoneName string
	now      func() time.Time

	mu       sync.Mutex
	records  map[string]Record // by id
	calls    []Call
	onChange []func([]Record)
	pending  [][]Record // committed snapshots not yet handed to onChange
	failures []failure

	inj injector // faults injected with Inject; see inject.go

	// notifyMu lets one goroutine at a time hand pending snapshots to the
	// OnChange callbacks, in commit order and without holding mu, so a
	// callback may call Records.
	notifyMu sync.Mutex
}

type failure struct {
	status     int
	retryAfter time.Duration
}

// New returns a server with no records.
func New(o Options) *Server {
	s := &Server{
		token:    o.Token,
		zoneID:   cmpOr(o.ZoneID, DefaultZoneID),
		zoneName: strings.ToLower(strings.TrimSuffix(cmpOr(o.ZoneName, "example.com"), ".")),
		now:      o.Now,
		records:  map[string]Record{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ZoneID returns the zone's id, as clients must put it in paths.
func (s *Server) ZoneID() string { return s.zoneID }

// Add stores r as is, with a new id, bypassing the API's validation so a
// test can seed states the API would refuse (two CNAMEs on one name, say).
// A relative or "@" name is made fully qualified; TTL 0 becomes 1 (auto).
func (s *Server) Add(r Record) Record {
	if n, err := normalizeName(r.Name, s.zoneName); err == nil {
		r.Name = n
	}
	r.Type = strings.ToUpper(r.Type)
	if r.TTL == 0 {
		r.TTL = 1
	}
	added, _ := s.mutate(func(work map[string]Record, now time.Time) (any, *apiError) {
		r.ID = newID()
		if r.CreatedOn.IsZero() {
			r.CreatedOn = now
		}
		if r.ModifiedOn.IsZero() {
			r.ModifiedOn = r.CreatedOn
		}
		work[r.ID] = r
		return r, nil
	})
	return added.(Record)
}

// Records returns a snapshot of every record, sorted by name, type, content.
func (s *Server) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshotLocked()
}

func (s *Server) snapshotLocked() []Record {
	out := slices.Collect(maps.Values(s.records))
	slices.SortFunc(out, compareRecords)
	return out
}

// OnChange registers fn to be called with a snapshot after every committed
// mutation, in commit order. fn must not mutate the server synchronously.
func (s *Server) OnChange(fn func(rs []Record)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onChange = append(s.onChange, fn)
}

// FailNext makes the next n requests fail with status before doing
// anything, with a Retry-After header when retryAfter > 0. The real API
// sends whole seconds; a sub-second retryAfter is sent as a decimal (e.g.
// "0.05"), which cloudflare-go and switchyard both parse, to keep tests fast.
func (s *Server) FailNext(n int, status int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures = append(s.failures, failure{status: status, retryAfter: retryAfter})
	}
}

// Calls returns every request answered so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// mutate runs fn on a copy of the records and commits the copy only when fn
// succeeds: every write, single or batch, is one transaction.
func (s *Server) mutate(fn func(work map[string]Record, now time.Time) (any, *apiError)) (any, *apiError) {
	s.mu.Lock()
	work := maps.Clone(s.records)
	res, err := fn(work, s.now().UTC())
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	s.records = work
	if len(s.onChange) > 0 {
		s.pending = append(s.pending, s.snapshotLocked())
	}
	s.mu.Unlock()
	s.deliver()
	return res, nil
}

// deliver hands every pending snapshot to the OnChange callbacks. When it
// returns, the caller's own commit has been delivered, by it or by whoever
// held notifyMu before.
func (s *Server) deliver() {
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	for {
		s.mu.Lock()
		if len(s.pending) == 0 {
			s.mu.Unlock()
			return
		}
		snap := s.pending[0]
		s.pending = s.pending[1:]
		listeners := slices.Clone(s.onChange)
		s.mu.Unlock()
		for _, fn := range listeners {
			fn(slices.Clone(snap))
		}
	}
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	return hex.EncodeToString(b)
}

// Handler serves the API under /client/v4/.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

type statusWriter struct {
	http.ResponseWriter
	status int
	// drop asks serve to close the connection unanswered, after the call
	// is recorded: a client that sees the reset must find it in Calls.
	drop bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		s.mu.Lock()
		s.calls = append(s.calls, Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: sw.status})
		s.mu.Unlock()
		if sw.drop {
			drop(sw)
		}
	}()
	if s.injected(sw, r) {
		return
	}
	if f, ok := s.takeFailure(); ok {
		writeFailure(sw, f)
		return
	}
	if !s.authorized(r) {
		writeError(sw, errAuth)
		return
	}
	s.route(sw, r)
}

func (s *Server) takeFailure() (failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failures) == 0 {
		return failure{}, false
	}
	f := s.failures[0]
	s.failures = s.failures[1:]
	return f, true
}

func writeFailure(w http.ResponseWriter, f failure) {
	if f.retryAfter > 0 {
		secs := f.retryAfter.Seconds()
		v := strconv.FormatFloat(secs, 'f', -1, 64)
		w.Header().Set("Retry-After", v)
	}
	e := &apiError{status: f.status, Code: 10001, Message: http.StatusText(f.status) + " (injected by FailNext)"}
	if f.status == http.StatusTooManyRequests {
		e = &apiError{status: f.status, Code: errRateLimited.Code, Message: errRateLimited.Message}
	}
	writeError(w, e)
}

func (s *Server) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && s.token != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.token)) == 1
}

// route dispatches /client/v4/zones/{zone}/dns_records[/{id}|/batch].
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/client/v4/")
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if !ok || len(parts) < 3 || len(parts) > 4 || parts[0] != "zones" || parts[1] != s.zoneID || parts[2] != "dns_records" {
		writeError(w, noRoute(r.URL.Path))
		return
	}
	if len(parts) == 3 {
		switch r.Method {
		case http.MethodGet:
			s.list(w, r)
		case http.MethodPost:
			s.create(w, r)
		default:
			writeError(w, methodNotAllowed)
		}
		return
	}
	id := parts[3]
	switch {
	case id == "batch" && r.Method == http.MethodPost:
		s.batch(w, r)
	case r.Method == http.MethodGet:
		s.get(w, id)
	case r.Method == http.MethodPatch || r.Method == http.MethodPut:
		s.update(w, r, id)
	case r.Method == http.MethodDelete:
		s.delete(w, id)
	default:
		writeError(w, methodNotAllowed)
	}
}

var methodNotAllowed = &apiError{status: http.StatusMethodNotAllowed, Code: 7001, Message: "Method not allowed for this route"}
