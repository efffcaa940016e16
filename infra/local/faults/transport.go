// Package faults plays network faults per vantage point in the local world.
// Each in-process vantage point gets its own http.Client whose Transport is a
// *Transport, so a scenario can cut one off, refuse its connections, slow it
// or make it lose requests, host by host, while the others see a healthy
// network. (Partitions with real network namespaces are a later step.)
package faults

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// AllHosts as a host applies a fault to every host; it adds to any fault set
// for a single host.
const AllHosts = "*"

// Transport is an http.RoundTripper that applies the faults set for a
// request's URL.Host (host:port as written in the URL) before handing the
// request to Base. Safe for concurrent use.
type Transport struct {
	// Base sends requests that get through; nil means http.DefaultTransport.
	Base http.RoundTripper

	mu     sync.Mutex
	faults map[string]*fault
}

// fault is what is played for one host. cut and refused exclude each other:
// the last one set wins, as a route is either blackholed or rejecting.
type fault struct {
	cut     bool
	refused bool
	delay   time.Duration
	loss    float64
	rng     *rand.Rand // guarded by Transport.mu: rand.Rand is not safe for concurrent use
}

var _ http.RoundTripper = (*Transport)(nil)

// New returns a Transport with no faults in front of base.
func New(base http.RoundTripper) *Transport {
	return &Transport{Base: base}
}

// Cut blackholes host: its requests hang until their context ends, then fail
// with a timeout error, as with a route that drops every packet.
func (t *Transport) Cut(host string) {
	t.set(host, func(f *fault) { f.cut, f.refused = true, false })
}

// Refuse makes requests to host fail at once with connection refused.
func (t *Transport) Refuse(host string) {
	t.set(host, func(f *fault) { f.refused, f.cut = true, false })
}

// Delay adds d of latency before each request to host (0 removes it).
func (t *Transport) Delay(host string, d time.Duration) {
	t.set(host, func(f *fault) { f.delay = max(d, 0) })
}

// Loss drops each request to host with probability p (clamped to [0, 1]);
// a dropped request hangs like a cut one. rng decides, so a seeded one makes
// a scenario repeatable; nil means a randomly seeded one.
func (t *Transport) Loss(host string, p float64, rng *rand.Rand) {
	if rng == nil {
		rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	t.set(host, func(f *fault) { f.loss, f.rng = min(max(p, 0), 1), rng })
}

// Heal clears every fault set for host (for "*", only the all-hosts faults).
func (t *Transport) Heal(host string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.faults, normalize(host))
}

// HealAll clears every fault.
func (t *Transport) HealAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.faults = nil
}

func (t *Transport) set(host string, change func(*fault)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	host = normalize(host)
	if t.faults == nil {
		t.faults = map[string]*fault{}
	}
	f := t.faults[host]
	if f == nil {
		f = &fault{}
		t.faults[host] = f
	}
	change(f)
}

func normalize(host string) string { return strings.ToLower(strings.TrimSpace(host)) }

// RoundTrip plays the faults for req.URL.Host, then sends it through Base.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	host := normalize(req.URL.Host)
	if p := t.plan(host); p.fails() {
		closeBody(req)
		return nil, p.play(req.Context(), host)
	} else if p.delay > 0 {
		if err := wait(req.Context(), p.delay); err != nil {
			closeBody(req)
			return nil, &Error{Host: host, Kind: Delayed, Err: err}
		}
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(req)
}

// CloseIdleConnections passes on to Base, so http.Client.CloseIdleConnections
// works through a Transport.
func (t *Transport) CloseIdleConnections() {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if c, ok := base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// closeBody honours the RoundTripper contract: the body is closed even when
// the request is not sent.
func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
