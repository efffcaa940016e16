package probe

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

const record = "assets.example.com"

// testCA signs leaf certificates for the names a test gives.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t *testing.T) testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "switchyard test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return testCA{cert: cert, key: key, pool: pool}
}

func (ca testCA) leaf(t *testing.T, names ...string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: names[0]},
		DNSNames: names, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// origin is a real TLS server presenting cert and serving the canary only
// to requests whose Host is one of hosts.
func origin(t *testing.T, cert tls.Certificate, hosts ...string) (port int) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.Host)
		for _, h := range hosts {
			if host == h && r.TLS.ServerName == h && r.URL.Path == "/canary" {
				w.Write([]byte(canary))
				return
			}
		}
		http.NotFound(w, r)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what some cases test
	srv.StartTLS()
	t.Cleanup(srv.Close)
	_, p, _ := net.SplitHostPort(srv.Listener.Addr().String())
	port, _ = strconv.Atoi(p)
	return port
}

// resolverFor starts a real DNS server answering zone (name -> CNAME target
// or A address; anything else NXDOMAIN) and a resolver that asks only it.
func resolverFor(t *testing.T, zone map[string]string) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		name := q.Question[0].Name
		for {
			v, ok := zone[strings.TrimSuffix(name, ".")]
			if !ok {
				break
			}
			if ip := net.ParseIP(v); ip != nil {
				if q.Question[0].Qtype == dns.TypeA && ip.To4() != nil {
					m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: ip})
				}
				break
			}
			m.Answer = append(m.Answer, &dns.CNAME{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60}, Target: dns.Fqdn(v)})
			name = dns.Fqdn(v)
		}
		if len(m.Answer) == 0 {
			if _, ok := zone[strings.TrimSuffix(q.Question[0].Name, ".")]; !ok {
				m.Rcode = dns.RcodeNameError
			}
		}
		w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	addr := pc.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", addr)
	}}
}

func TestClientPath(t *testing.T) {
	ca := newTestCA(t)
	served := origin(t, ca.leaf(t, "standby.example.org", record), "standby.example.org", record)
	noDomain := origin(t, ca.leaf(t, "standby.example.org"), "standby.example.org")
	noRoute := origin(t, ca.leaf(t, "standby.example.org", record), "standby.example.org")
	res := resolverFor(t, map[string]string{
		"standby.example.org": "edge.example.net",
		"edge.example.net":    "127.0.0.1",
		"empty.example.net":   "::1", // AAAA only: no A answer for an IPv4 dial
	})
	tests := []struct {
		name   string
		target string
		port   int
		roots  *x509.CertPool
		sha    string
		ok     bool
		status int
		reason string
	}{
		{name: "served at the record's name through the CNAME chain", target: "standby.example.org", port: served, roots: ca.pool, sha: sum(canary), ok: true, status: 200},
		{name: "A record: the address itself", target: "127.0.0.1", port: served, roots: ca.pool, ok: true, status: 200},
		{name: "certificate lacks the record's name", target: "standby.example.org", port: noDomain, roots: ca.pool,
			reason: "certificate valid for standby.example.org, not assets.example.com"},
		{name: "Host routes nowhere", target: "standby.example.org", port: noRoute, roots: ca.pool, status: 404,
			reason: "404 for Host assets.example.com"},
		{name: "target does not resolve", target: "gone.example.net", port: served, roots: ca.pool,
			reason: "no address for standby target gone.example.net"},
		{name: "certificate from an authority the roots do not hold", target: "127.0.0.1", port: served,
			reason: "certificate for assets.example.com signed by an unknown authority"},
		{name: "wrong canary body", target: "127.0.0.1", port: served, roots: ca.pool, sha: sum("other"), status: 200,
			reason: "body sha256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := NewClientPath(ClientPathSpec{
				Spec: Spec{SHA256: tc.sha, Timeout: 5 * time.Second}, Record: record, Target: tc.target,
				Side: "standby", Path: "/canary", Port: tc.port, RootCAs: tc.roots, Resolver: res,
			})
			if err != nil {
				t.Fatal(err)
			}
			r := f(context.Background())
			wantResult(t, r, tc.ok, tc.status, tc.reason)
			if !strings.Contains(r.Target, "https://assets.example.com:") || !strings.Contains(r.Target, "via "+tc.target) {
				t.Errorf("Target %q does not name the record's URL and the target", r.Target)
			}
		})
	}
}

func TestClientPathSpecErrors(t *testing.T) {
	for _, tc := range []struct {
		spec ClientPathSpec
		want string
	}{
		{ClientPathSpec{Target: "standby.example.org"}, `Record "" is not a host name`},
		{ClientPathSpec{Record: "https://assets.example.com", Target: "x.example.org"}, "is not a host name"},
		{ClientPathSpec{Record: record, Side: "standby"}, `standby Target "" is not a host name or address`},
		{ClientPathSpec{Record: record, Target: "x.example.org", Port: 70000}, "Port 70000 is out of range"},
		{ClientPathSpec{Record: record, Target: "x.example.org", Spec: Spec{SHA256: "nope"}}, "SHA256"},
	} {
		if _, err := NewClientPath(tc.spec); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewClientPath(%+v) = %v, want an error containing %q", tc.spec, err, tc.want)
		}
	}
}
