package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// recordTTL is the TTL the local world writes on the switched record
// (SWITCHYARD_RECORD_TTL's default, Cloudflare's least below Enterprise).
const recordTTL = 60 * time.Second

// throughResolver times what a client sees: per trial a fresh world and a
// real caching resolver (Debian's unbound) in front of its authoritative
// server. The client last asked at a random moment up to a TTL before the
// fault (its resolver's cache entry is that old), then asks every 50 ms; the
// trial times fault → authoritative answer changed and fault → the answer
// through the resolver changed.
func throughResolver(ctx context.Context, o world.Options, n int, rng *rand.Rand) error {
	bin, err := exec.LookPath("unbound")
	if err != nil {
		bin, err = exec.LookPath("/usr/sbin/unbound") // Debian's place, off a user's PATH
	}
	if err != nil {
		return errors.New("-resolver needs Debian's unbound (apt-get install unbound; scripts/test installs it)")
	}
	var auth, client []time.Duration
	start := time.Now()
	for i := range n {
		a, c, err := resolverTrial(ctx, bin, o, rng)
		if err != nil {
			return fmt.Errorf("resolver trial %d: %w", i+1, err)
		}
		auth, client = append(auth, a), append(client, c)
	}
	fmt.Printf("\nthrough a caching resolver (unbound), record TTL %s, %d 503 outages, cache entry aged uniformly in [0, TTL) at the fault (%s)\n",
		recordTTL, n, time.Since(start).Round(time.Second))
	printDist("fault → authoritative answer changed", auth, o.Interval)
	printDist("fault → answer through the resolver changed", client, o.Interval)
	fmt.Printf("  a proxied record changes at Cloudflare's edge with the API write, not with resolver caches: its client-visible time is the authoritative figure above plus the edge's propagation\n")
	return nil
}

func resolverTrial(ctx context.Context, bin string, o world.Options, rng *rand.Rand) (auth, client time.Duration, err error) {
	w, st, err := steadyWorld(ctx, o)
	if err != nil {
		return 0, 0, err
	}
	defer w.Close()
	addr, stop, err := startUnbound(ctx, bin, w.DNSAddr())
	if err != nil {
		return 0, 0, err
	}
	defer stop()
	// The cache entry is fresh now; the fault comes a random part of a TTL later.
	time.Sleep(time.Duration(rng.Int64N(int64(recordTTL))))
	st.Inject("503", func() { w.Primary.SetDown(true) })
	done := make(chan time.Duration, 1)
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for range tick.C {
			if ans, err := ask(ctx, addr); err == nil && ans == world.StandbyTarget {
				done <- time.Since(st.FaultAt)
				return
			}
		}
	}()
	if err := st.ExpectFailover(ctx); err != nil {
		return 0, 0, err
	}
	select {
	case client = <-done:
	case <-time.After(recordTTL + 10*time.Second):
		return 0, 0, fmt.Errorf("the resolver still answers the primary %s after the switch", recordTTL+10*time.Second)
	}
	return st.Elapsed[0], client, nil
}

// startUnbound runs unbound in a temporary directory on a free loopback
// port, resolving the world's zone from its authoritative server (a stub
// zone) and nothing else, and returns its address once it answers.
func startUnbound(ctx context.Context, bin, authAddr string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "switchyard-unbound-")
	if err != nil {
		return "", nil, err
	}
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	host, authPort, _ := net.SplitHostPort(authAddr)
	conf := fmt.Sprintf(`server:
  interface: 127.0.0.1
  port: %d
  do-ip6: no
  do-daemonize: no
  use-syslog: no
  logfile: ""
  verbosity: 0
  username: ""
  chroot: ""
  directory: %q
  pidfile: %q
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  module-config: "iterator"
  local-zone: "test." nodefault
  domain-insecure: "test."
remote-control:
  control-enable: no
stub-zone:
  name: %q
  stub-addr: %s@%s
`, port, dir, filepath.Join(dir, "unbound.pid"), world.Zone, host, authPort)
	path := filepath.Join(dir, "unbound.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, "-d", "-c", path)
	out, _ := os.Create(filepath.Join(dir, "unbound.log"))
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start unbound: %w", err)
	}
	stop := func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		out.Close()
		os.RemoveAll(dir)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		ans, err := ask(ctx, addr)
		if err == nil && ans == world.PrimaryTarget {
			return addr, stop, nil
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "unbound.log"))
			stop()
			return "", nil, fmt.Errorf("unbound never answered %s (%v, %q): %s", world.Record, err, ans, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freePort returns a loopback port free for both UDP and TCP now, as
// unbound listens on both.
func freePort() (int, error) {
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		c, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		l.Close()
		if err == nil {
			c.Close()
			return port, nil
		}
	}
	return 0, errors.New("no loopback port free for both UDP and TCP")
}

// ask queries the resolver at addr as a client's stub does (recursion
// desired) and returns the CNAME target it answers for the world's record.
func ask(ctx context.Context, addr string) (string, error) {
	m := new(mdns.Msg)
	m.SetQuestion(mdns.Fqdn(world.Record), mdns.TypeCNAME)
	in, _, err := (&mdns.Client{Timeout: time.Second}).ExchangeContext(ctx, m, addr)
	if err != nil {
		return "", err
	}
	for _, rr := range in.Answer {
		if c, ok := rr.(*mdns.CNAME); ok {
			return strings.TrimSuffix(c.Target, "."), nil
		}
	}
	return "", fmt.Errorf("%s answers %s without a CNAME", addr, mdns.RcodeToString[in.Rcode])
}
