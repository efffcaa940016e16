//go:build linux

package netns

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"

	mdns "github.com/miekg/dns"
	"golang.org/x/sys/unix"
)

// dialIn returns a DialContext whose sockets live in the network namespace
// ns, so the test process can talk to addresses inside the namespaces it
// made without joining them to the host's network.
func dialIn(ns string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		type result struct {
			conn net.Conn
			err  error
		}
		ch := make(chan result, 1)
		go func() {
			// The thread enters ns and never leaves it: without
			// UnlockOSThread it exits with this goroutine, so no other
			// goroutine ever runs in ns. A socket keeps the namespace it
			// was created in.
			runtime.LockOSThread()
			f, err := os.Open("/run/netns/" + ns)
			if err != nil {
				ch <- result{err: err}
				return
			}
			defer f.Close()
			if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
				ch <- result{err: fmt.Errorf("setns %s: %w", ns, err)}
				return
			}
			var d net.Dialer
			c, err := d.DialContext(ctx, network, addr)
			ch <- result{c, err}
		}()
		r := <-ch
		return r.conn, r.err
	}
}

// clientIn is an HTTP client whose connections are made in ns.
func clientIn(ns string) *http.Client {
	return &http.Client{
		Timeout:   3 * time.Second,
		Transport: &http.Transport{DialContext: dialIn(ns), DisableKeepAlives: true},
	}
}

// getJSON fetches url from inside ns and decodes the JSON body into v.
func getJSON(ctx context.Context, ns, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := clientIn(ns).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d", url, resp.StatusCode)
	}
	return json.Unmarshal(body, v)
}

// queryIn asks the DNS server at addr, from inside ns over TCP, for name
// and type, and returns the answer's data (CNAME target or TXT strings
// joined).
func queryIn(ctx context.Context, ns, addr, name string, qtype uint16) (string, error) {
	c, err := dialIn(ns)(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(3 * time.Second))
	conn := &mdns.Conn{Conn: c}
	m := new(mdns.Msg)
	m.SetQuestion(mdns.Fqdn(name), qtype)
	if err := conn.WriteMsg(m); err != nil {
		return "", err
	}
	in, err := conn.ReadMsg()
	if err != nil {
		return "", err
	}
	for _, rr := range in.Answer {
		switch rr := rr.(type) {
		case *mdns.CNAME:
			return strings.TrimSuffix(rr.Target, "."), nil
		case *mdns.TXT:
			return strings.Join(rr.Txt, ""), nil
		}
	}
	return "", fmt.Errorf("no answer for %s (rcode %s)", name, mdns.RcodeToString[in.Rcode])
}
