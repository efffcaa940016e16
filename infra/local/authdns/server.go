// Package authdns is a small but real authoritative DNS server for one zone,
// so the local world can be queried with dig and watched as a record switches.
// It answers from a function that returns the zone's records (the in-process
// Cloudflare-compatible API's store), called once per query.
package authdns

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// Record is one record of the zone as a Cloudflare-like API stores it.
// Name may be fully qualified or relative to nothing (no trailing dot needed);
// TXT Content may be quoted ("...", or "a" "b" for several strings).
type Record struct {
	Name    string
	Type    string
	Content string
	TTL     int
}

// Server answers UDP and TCP queries on the same port.
type Server struct {
	zone    string // lower-case, fully qualified, e.g. "example.com."
	records func() []Record
	serial  serial

	addr string
	udp  *dns.Server
	tcp  *dns.Server
	wg   sync.WaitGroup

	closeOnce sync.Once
	closeErr  error
}

// bindAttempts bounds the retries when the UDP port picked by the kernel is
// already taken for TCP by someone else.
const bindAttempts = 8

// Start listens on addr (e.g. "127.0.0.1:0") for UDP and TCP on the same port
// and serves zone from records. It returns once both listeners are serving.
func Start(addr string, zone string, records func() []Record) (*Server, error) {
	if records == nil {
		return nil, errors.New("authdns: records function is nil")
	}
	if _, ok := dns.IsDomainName(zone); !ok || strings.Trim(zone, ".") == "" {
		return nil, fmt.Errorf("authdns: zone %q: want a domain name such as example.com", zone)
	}
	pc, ln, err := listenBoth(addr)
	if err != nil {
		return nil, err
	}
	s := &Server{
		zone:    canonical(zone),
		records: records,
		addr:    pc.LocalAddr().String(),
	}
	mux := dns.HandlerFunc(s.serveDNS)
	s.udp = &dns.Server{PacketConn: pc, Handler: mux}
	s.tcp = &dns.Server{Listener: ln, Handler: mux}
	if err := s.serve(); err != nil {
		pc.Close()
		ln.Close()
		return nil, err
	}
	return s, nil
}

// serve runs both servers and waits until each has started, so that Close
// right after Start cannot race with the start (miekg refuses to shut down a
// server that has not started yet).
func (s *Server) serve() error {
	errs := make(chan error, 2)
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := srv.ActivateAndServe(); err != nil {
				errs <- err
			}
		}()
		select {
		case <-started:
		case err := <-errs:
			return fmt.Errorf("authdns: serve on %s: %w", s.addr, err)
		}
	}
	return nil
}

// listenBoth binds UDP first (the kernel picks the port when addr's port is
// 0) and then TCP on that same port, retrying with a new port if TCP's is taken.
func listenBoth(addr string) (net.PacketConn, net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("authdns: listen address %q: want host:port: %w", addr, err)
	}
	attempts := 1
	if port == "0" {
		attempts = bindAttempts
	}
	var lastErr error
	for range attempts {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, nil, fmt.Errorf("authdns: listen udp %s: %w", addr, err)
		}
		_, udpPort, _ := net.SplitHostPort(pc.LocalAddr().String())
		ln, err := net.Listen("tcp", net.JoinHostPort(host, udpPort))
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		lastErr = err
	}
	return nil, nil, fmt.Errorf("authdns: listen tcp on the udp port for %s: %w", addr, lastErr)
}

// Addr is the "host:port" both UDP and TCP listen on.
func (s *Server) Addr() string { return s.addr }

// Close stops both listeners and waits for the serving goroutines to end.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = errors.Join(s.udp.Shutdown(), s.tcp.Shutdown())
		s.wg.Wait()
		if s.closeErr != nil {
			s.closeErr = fmt.Errorf("authdns: close %s: %w", s.addr, s.closeErr)
		}
	})
	return s.closeErr
}

// canonical lower-cases a name and makes it fully qualified.
func canonical(name string) string {
	return dns.Fqdn(strings.ToLower(strings.TrimSpace(name)))
}
