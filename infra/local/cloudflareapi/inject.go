package cloudflareapi

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// FaultKind is what an injected fault does to a request it hits.
type FaultKind string

const (
	// FaultStatus answers Status (with Retry-After when RetryAfter > 0)
	// without doing anything, as FailNext does.
	FaultStatus FaultKind = "status"
	// FaultHang holds the request, doing nothing, until the client gives up
	// (its connection closes), Hold elapses or ClearFaults is called, then
	// drops the connection without an answer: an API that stopped answering.
	FaultHang FaultKind = "hang"
	// FaultReset drops the connection before doing anything: a reset
	// mid-request, nothing changed.
	FaultReset FaultKind = "reset"
	// FaultResetAfterCommit does the request, then drops the connection
	// instead of answering: the change is committed but the client never
	// learns it. The hardest case for a client that retries.
	FaultResetAfterCommit FaultKind = "reset-after-commit"
	// FaultDelay holds the request for Hold (or until ClearFaults), then
	// does it and answers, even if the client gave up meanwhile: an API
	// that queues a request and commits it late.
	FaultDelay FaultKind = "delay"
)

// Fault is one injected misbehaviour. The zero Match hits every request.
type Fault struct {
	Kind       FaultKind
	Status     int           // for FaultStatus
	RetryAfter time.Duration // for FaultStatus
	Hold       time.Duration // for FaultHang (0: until the client gives up) and FaultDelay
	// Match selects the requests the fault hits (nil: all). It sees the
	// request before its body is read and must not read the body.
	Match func(*http.Request) bool
	// Times is how many matching requests the fault hits; 0 or less: every
	// one until ClearFaults.
	Times int
}

// Batches matches the batch endpoint: a fault on the one request that
// writes, while reads still work.
func Batches(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(strings.TrimSuffix(r.URL.Path, "/"), "/batch")
}

// Reads matches every GET.
func Reads(r *http.Request) bool { return r.Method == http.MethodGet }

// injector holds the injected faults and the arrival time of every request.
type injector struct {
	mu       sync.Mutex
	faults   []*Fault
	arrivals []time.Time
	release  chan struct{} // closed by ClearFaults to free held requests
}

// Inject adds f. Faults are tried in the order added; the first that
// matches a request hits it.
func (s *Server) Inject(f Fault) {
	s.inj.mu.Lock()
	defer s.inj.mu.Unlock()
	if s.inj.release == nil {
		s.inj.release = make(chan struct{})
	}
	s.inj.faults = append(s.inj.faults, &f)
}

// ClearFaults removes every injected fault (and FailNext's) and frees the
// requests held by FaultHang and FaultDelay.
func (s *Server) ClearFaults() {
	s.inj.mu.Lock()
	s.inj.faults = nil
	if s.inj.release != nil {
		close(s.inj.release)
		s.inj.release = nil
	}
	s.inj.mu.Unlock()
	s.mu.Lock()
	s.failures = nil
	s.mu.Unlock()
}

// RequestsIn returns the most requests that arrived within any one window
// of length d, to check a client against an API rate limit (Cloudflare's:
// 1,200 requests per 5 minutes per user).
func (s *Server) RequestsIn(d time.Duration) int {
	s.inj.mu.Lock()
	at := slices.Clone(s.inj.arrivals)
	s.inj.mu.Unlock()
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	most, lo := 0, 0
	for hi := range at {
		for at[hi].Sub(at[lo]) >= d {
			lo++
		}
		most = max(most, hi-lo+1)
	}
	return most
}

// take notes r's arrival and returns the fault that hits it, if any.
func (s *Server) take(r *http.Request) (Fault, <-chan struct{}, bool) {
	s.inj.mu.Lock()
	defer s.inj.mu.Unlock()
	s.inj.arrivals = append(s.inj.arrivals, time.Now())
	for i, f := range s.inj.faults {
		if f.Match != nil && !f.Match(r) {
			continue
		}
		hit := *f
		if f.Times > 0 {
			if f.Times--; f.Times == 0 {
				s.inj.faults = slices.Delete(s.inj.faults, i, i+1)
			}
		}
		return hit, s.inj.release, true
	}
	return Fault{}, nil, false
}

// injected plays the fault hitting r, if any, and reports whether it
// answered (or dropped) the request; false lets serve carry on normally.
func (s *Server) injected(w *statusWriter, r *http.Request) bool {
	f, release, ok := s.take(r)
	if !ok {
		return false
	}
	switch f.Kind {
	case FaultStatus:
		writeFailure(w, failure{status: f.Status, retryAfter: f.RetryAfter})
	case FaultReset:
		w.drop = true
	case FaultHang:
		hold(r, f.Hold, release, true)
		w.drop = true
	case FaultDelay:
		hold(r, f.Hold, release, false)
		return false // now do it, late
	case FaultResetAfterCommit:
		if !s.authorized(r) {
			writeError(w, errAuth)
			return true
		}
		// Do the request into a buffer that is never sent.
		s.route(&statusWriter{ResponseWriter: &discard{h: http.Header{}}}, r)
		w.drop = true
	default:
		writeError(w, validation("unknown injected fault "+string(f.Kind)))
	}
	return true
}

// hold waits d (0: no limit), for release, or, when untilGone, for the
// client to go away.
func hold(r *http.Request, d time.Duration, release <-chan struct{}, untilGone bool) {
	var timeout <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	var gone <-chan struct{}
	if untilGone {
		gone = r.Context().Done()
	}
	select {
	case <-timeout:
	case <-release:
	case <-gone:
	}
}

// drop closes the connection without an answer. Call records it with
// status 0: no answer.
func drop(w *statusWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): abort the handler, which makes the
		// server reset the stream.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// Unwrap lets http.ResponseController reach the connection under w.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// discard is a ResponseWriter that keeps nothing.
type discard struct {
	h http.Header
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}
