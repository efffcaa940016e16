// Package nameserver runs a real authoritative DNS server, BIND 9 (named)
// or Knot (knotd), for one zone that accepts RFC 2136 updates signed with
// one TSIG key. The RFC 2136 provider's tests and the local world
// (`--dns rfc2136`) use it, so switchyard is exercised against the servers
// people run, not against a model of them.
//
// The server runs in a directory of its own (configuration, zone file,
// journal) on a free port of 127.0.0.1, as the current user, in the
// foreground; Close stops it.
package nameserver

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Kind names a server implementation.
type Kind string

const (
	BIND Kind = "bind" // BIND 9's named (Debian package bind9)
	Knot Kind = "knot" // Knot DNS's knotd (Debian package knot)
)

// Kinds lists every supported server.
var Kinds = []Kind{BIND, Knot}

// Binary is the program that runs k, and the Debian package holding it.
func (k Kind) Binary() (program, debianPackage string) {
	switch k {
	case BIND:
		return "named", "bind9"
	case Knot:
		return "knotd", "knot"
	}
	return "", ""
}

// Look finds k's program on PATH or in /usr/sbin (where Debian puts both,
// often outside a normal user's PATH).
func (k Kind) Look() (string, error) {
	prog, pkg := k.Binary()
	if prog == "" {
		return "", fmt.Errorf("nameserver: kind %q: expected bind or knot", k)
	}
	if p, err := exec.LookPath(prog); err == nil {
		return p, nil
	}
	if p := filepath.Join("/usr/sbin", prog); isExecutable(p) {
		return p, nil
	}
	return "", fmt.Errorf("nameserver: %s not found on PATH or in /usr/sbin (Debian: apt-get install %s)", prog, pkg)
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// Key is a TSIG key. Algorithm is a name both servers know, e.g.
// hmac-sha256; Secret is base64.
type Key struct {
	Name, Algorithm, Secret string
}

// Options describe the server to start.
type Options struct {
	Kind Kind
	Dir  string // an empty directory the server owns (config, zone, journal)
	Zone string // e.g. example.com
	// Records are the zone's records besides its SOA and NS, in master file
	// format with fully qualified names, e.g.
	// "assets.example.com. 60 IN CNAME primary.example.net.".
	Records []string
	Key     Key
	// ReadOnlyKey, when set, is a second key the server knows (it signs
	// queries and zone transfers) but that may not update the zone: tests
	// use it to make an update fail at the server.
	ReadOnlyKey *Key
	Log         io.Writer // the server's own log; nil: kept, and shown in a failed start's error
}

// Server is a running name server.
type Server struct {
	Kind Kind
	Addr string // 127.0.0.1:port, UDP and TCP
	Zone string // fully qualified

	cmd       *exec.Cmd
	exited    chan struct{}
	waitErr   error
	log       *lockedBuffer
	closeOnce sync.Once
}

// startAttempts bounds retries when the free port found was taken by
// someone else before the server bound it.
const startAttempts = 5

// readyTimeout bounds how long a starting server may take to answer.
const readyTimeout = 20 * time.Second

// Start writes the configuration and zone, starts the server and returns
// once it answers for the zone over TCP.
func Start(ctx context.Context, o Options) (*Server, error) {
	prog, err := o.Kind.Look()
	if err != nil {
		return nil, err
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	var lastErr error
	for range startAttempts {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s, err := start(ctx, prog, o, port)
		if err == nil {
			return s, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

func (o Options) validate() error {
	var errs []error
	if o.Dir == "" {
		errs = append(errs, errors.New("nameserver: Dir is empty"))
	}
	if _, ok := dns.IsDomainName(o.Zone); !ok || strings.Trim(o.Zone, ".") == "" {
		errs = append(errs, fmt.Errorf("nameserver: zone %q: expected a domain name such as example.com", o.Zone))
	}
	if _, ok := dns.IsDomainName(o.Key.Name); !ok || o.Key.Name == "" {
		errs = append(errs, fmt.Errorf("nameserver: key name %q: expected a domain name", o.Key.Name))
	}
	if _, err := base64.StdEncoding.DecodeString(o.Key.Secret); err != nil || o.Key.Secret == "" {
		errs = append(errs, errors.New("nameserver: key secret: expected base64"))
	}
	return errors.Join(errs...)
}

func start(ctx context.Context, prog string, o Options, port int) (*Server, error) {
	zone := dns.Fqdn(strings.ToLower(o.Zone))
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("nameserver: %w", err)
	}
	zoneFile := filepath.Join(o.Dir, strings.TrimSuffix(zone, ".")+".zone")
	if err := os.WriteFile(zoneFile, zoneText(zone, o.Records), 0o600); err != nil {
		return nil, fmt.Errorf("nameserver: write zone: %w", err)
	}
	var args []string
	switch o.Kind {
	case BIND:
		conf := filepath.Join(o.Dir, "named.conf")
		if err := os.WriteFile(conf, bindConf(o, zone, zoneFile, port), 0o600); err != nil {
			return nil, fmt.Errorf("nameserver: write config: %w", err)
		}
		// -g: foreground, log to stderr; -n 1: one worker thread (tests
		// share a small machine).
		args = []string{"-g", "-n", "1", "-c", conf}
	case Knot:
		conf := filepath.Join(o.Dir, "knot.conf")
		if err := os.MkdirAll(filepath.Join(o.Dir, "db"), 0o700); err != nil {
			return nil, fmt.Errorf("nameserver: %w", err)
		}
		if err := os.WriteFile(conf, knotConf(o, zone, zoneFile, port), 0o600); err != nil {
			return nil, fmt.Errorf("nameserver: write config: %w", err)
		}
		args = []string{"-c", conf}
	}
	log := &lockedBuffer{}
	var out io.Writer = log
	if o.Log != nil {
		out = io.MultiWriter(log, o.Log)
	}
	cmd := exec.Command(prog, args...)
	cmd.Dir = o.Dir
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("nameserver: start %s: %w", prog, err)
	}
	s := &Server{Kind: o.Kind, Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Zone: zone,
		cmd: cmd, exited: make(chan struct{}), log: log}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("nameserver: %s on %s: %w\n%s", o.Kind, s.Addr, err, tail(log.String(), 2000))
	}
	return s, nil
}

// waitReady polls the server for the zone's SOA over TCP until it answers
// authoritatively, the process exits, or readyTimeout passes. Polling is
// the only way to learn when another process has loaded its zone.
func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	c := &dns.Client{Net: "tcp", Timeout: time.Second}
	m := new(dns.Msg)
	m.SetQuestion(s.Zone, dns.TypeSOA)
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		r, _, err := c.ExchangeContext(ctx, m, s.Addr)
		if err == nil && r.Rcode == dns.RcodeSuccess && r.Authoritative && len(r.Answer) > 0 {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("exited before answering: %v", s.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("no answer for %s SOA: %v (last error %v)", s.Zone, ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// Close stops the server and waits for it to exit.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		_ = s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	})
	return nil
}

// Log returns what the server has logged so far.
func (s *Server) Log() string { return s.log.String() }

// freePort finds a port free for both TCP and UDP on 127.0.0.1. Another
// process may take it before the server binds it; Start then retries.
func freePort() (int, error) {
	for range 8 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("nameserver: find a free port: %w", err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		ln.Close()
		if err == nil {
			pc.Close()
			return port, nil
		}
	}
	return 0, errors.New("nameserver: no port free for both TCP and UDP")
}

// zoneText is the zone file: SOA, NS (a name outside the zone, so no glue
// is needed) and the records given.
func zoneText(zone string, records []string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "$ORIGIN %s\n$TTL 60\n", zone)
	fmt.Fprintf(&b, "@ IN SOA ns.invalid. hostmaster.invalid. 1 3600 600 86400 60\n")
	fmt.Fprintf(&b, "@ IN NS ns.invalid.\n")
	for _, r := range records {
		b.WriteString(r)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func bindConf(o Options, zone, zoneFile string, port int) []byte {
	key := dns.Fqdn(o.Key.Name)
	transfer := fmt.Sprintf("key %s;", key)
	var roKey string
	if ro := o.ReadOnlyKey; ro != nil {
		roKey = fmt.Sprintf("key %q {\n\talgorithm %s;\n\tsecret %q;\n};\n", dns.Fqdn(ro.Name), ro.Algorithm, ro.Secret)
		transfer += fmt.Sprintf(" key %s;", dns.Fqdn(ro.Name))
	}
	return fmt.Appendf(nil, `options {
	directory %[1]q;
	pid-file %[2]q;
	session-keyfile %[3]q;
	managed-keys-directory %[1]q;
	listen-on port %[4]d { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	notify no;
};
controls { };
key %[5]q {
	algorithm %[6]s;
	secret %[7]q;
};
%[10]szone %[8]q {
	type primary;
	file %[9]q;
	update-policy { grant %[5]s zonesub ANY; };
	allow-transfer { %[11]s };
};
`, o.Dir, filepath.Join(o.Dir, "named.pid"), filepath.Join(o.Dir, "session.key"), port,
		key, o.Key.Algorithm, o.Key.Secret, zone, zoneFile, roKey, transfer)
}

func knotConf(o Options, zone, zoneFile string, port int) []byte {
	key := dns.Fqdn(o.Key.Name)
	keys := []string{key}
	var roKey string
	if ro := o.ReadOnlyKey; ro != nil {
		roKey = fmt.Sprintf("  - id: %s\n    algorithm: %s\n    secret: %s\n", dns.Fqdn(ro.Name), ro.Algorithm, ro.Secret)
		keys = append(keys, dns.Fqdn(ro.Name))
	}
	return fmt.Appendf(nil, `server:
    rundir: %[1]q
    listen: 127.0.0.1@%[2]d
    background-workers: 1
    udp-workers: 1
    tcp-workers: 1
log:
  - target: stderr
    any: info
database:
    storage: %[3]q
key:
  - id: %[4]s
    algorithm: %[5]s
    secret: %[6]s
%[9]sacl:
  - id: switchyard-update
    key: %[4]s
    action: update
  - id: switchyard-transfer
    key: [%[10]s]
    action: transfer
zone:
  - domain: %[7]s
    storage: %[1]q
    file: %[8]q
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: changes
    acl: [switchyard-update, switchyard-transfer]
`, o.Dir, port, filepath.Join(o.Dir, "db"), key, o.Key.Algorithm, o.Key.Secret, zone, zoneFile, roKey, strings.Join(keys, ", "))
}

// lockedBuffer collects the server's output from the goroutines exec uses.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// Transfer returns every record of the zone but its SOA (whose serial
// each update moves), by a zone transfer (AXFR) signed with key.
func (s *Server) Transfer(key Key) ([]dns.RR, error) {
	m := new(dns.Msg)
	m.SetAxfr(s.Zone)
	alg := dns.Fqdn(strings.ToLower(key.Algorithm))
	m.SetTsig(dns.Fqdn(key.Name), alg, 300, time.Now().Unix())
	tr := &dns.Transfer{TsigSecret: map[string]string{dns.Fqdn(key.Name): key.Secret}}
	ch, err := tr.In(m, s.Addr)
	if err != nil {
		return nil, fmt.Errorf("nameserver: transfer %s: %w", s.Zone, err)
	}
	var out []dns.RR
	for env := range ch {
		if env.Error != nil {
			return nil, fmt.Errorf("nameserver: transfer %s: %w", s.Zone, env.Error)
		}
		for _, rr := range env.RR {
			if rr.Header().Rrtype != dns.TypeSOA {
				out = append(out, rr)
			}
		}
	}
	return out, nil
}
