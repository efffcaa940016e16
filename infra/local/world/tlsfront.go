package world

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchyard-dns/switchyard/infra/local/origins"
)

// The world's origins are also served the way clients reach them: over
// TLS, at an address of their own (the A records of PrimaryTarget and
// StandbyTarget), with a certificate from a CA made at start, routing the
// record's name to the bucket as a custom domain (an R2 or GCS custom
// domain, a CDN) does. Scenarios break that path alone (Front.SetCertNames,
// Front.SetServesRecord) while the origin's own check still passes.
const (
	primaryAddr = "127.0.0.1"
	standbyAddr = "127.0.0.2"
)

// localCA signs the fronts' certificates; its PEM file is every vantage
// point's SWITCHYARD_CLIENT_CA.
type localCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	dir  string
	file string
}

func newLocalCA() (*localCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "switchyard local world CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "switchyard-ca-")
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &localCA{cert: cert, key: key, dir: dir, file: file}, nil
}

var serial atomic.Int64

func (ca *localCA) issue(names ...string) (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano() + serial.Add(1)), Subject: pkix.Name{CommonName: names[0]},
		DNSNames: names, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// Front serves one origin over TLS at the target's address, as clients
// reach it after the record points there.
type Front struct {
	name   string // the target's own name, always routed
	ca     *localCA
	srv    *http.Server
	served chan struct{}

	mu           sync.Mutex
	cert         *tls.Certificate
	servesRecord atomic.Bool
}

// CertNames are the names a front's certificate is issued for at start:
// its own, the switched record's and the drill record's.
func certNames(own string) []string { return []string{own, Record, DrillRecord} }

func startFront(ca *localCA, name string, ln net.Listener, o *origins.Origin) (*Front, error) {
	f := &Front{name: name, ca: ca, served: make(chan struct{})}
	if err := f.SetCertNames(certNames(name)...); err != nil {
		return nil, err
	}
	f.servesRecord.Store(true)
	backend, err := url.Parse(o.URL())
	if err != nil {
		return nil, err
	}
	proxy := &httputil.ReverseProxy{ErrorLog: log.New(io.Discard, "", 0), Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(backend)
		// A custom domain maps /key to the bucket's key (path-style here).
		r.Out.URL.Path = "/" + Bucket + r.In.URL.Path
		r.Out.URL.RawPath = ""
		r.Out.Host = backend.Host
	}}
	f.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			host, _, err := net.SplitHostPort(r.Host)
			if err != nil {
				host = r.Host
			}
			if host == f.name || (f.servesRecord.Load() && (host == Record || host == DrillRecord)) {
				proxy.ServeHTTP(w, r)
				return
			}
			http.Error(w, "no bucket for Host "+host, http.StatusNotFound)
		}),
		TLSConfig: &tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.cert, nil
		}},
		ReadHeaderTimeout: 5 * time.Second,
		// Handshakes refused for a certificate a scenario broke are the
		// point, not news.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go func() {
		defer close(f.served)
		_ = f.srv.ServeTLS(ln, "", "")
	}()
	return f, nil
}

// SetCertNames reissues the front's certificate for names (a custom domain
// whose certificate lacks the record's name: leave Record out).
func (f *Front) SetCertNames(names ...string) error {
	c, err := f.ca.issue(names...)
	if err != nil {
		return fmt.Errorf("issue a certificate for %v: %w", names, err)
	}
	f.mu.Lock()
	f.cert = c
	f.mu.Unlock()
	return nil
}

// SetServesRecord routes the record's (and drill record's) name to the
// bucket (true) or answers 404 for them (false: the custom domain was
// detached), while the front's own name keeps working.
func (f *Front) SetServesRecord(ok bool) { f.servesRecord.Store(ok) }

func (f *Front) close() {
	if f == nil {
		return
	}
	_ = f.srv.Close()
	<-f.served
}

// startFronts listens on both targets' addresses at one port (clients use
// one port whatever the target) and serves each origin there.
func (w *World) startFronts() error {
	ca, err := newLocalCA()
	if err != nil {
		return fmt.Errorf("make the local CA: %w", err)
	}
	w.ca = ca
	var errs []error
	for range 20 {
		pl, err := net.Listen("tcp", primaryAddr+":0")
		if err != nil {
			return fmt.Errorf("listen for the primary's TLS front: %w", err)
		}
		port := pl.Addr().(*net.TCPAddr).Port
		sl, err := net.Listen("tcp", net.JoinHostPort(standbyAddr, strconv.Itoa(port)))
		if err != nil {
			// Taken on the other address: try another port.
			pl.Close()
			errs = append(errs, err)
			continue
		}
		w.frontPort = port
		if w.PrimaryFront, err = startFront(ca, PrimaryTarget, pl, w.Primary); err != nil {
			sl.Close()
			return err
		}
		if w.StandbyFront, err = startFront(ca, StandbyTarget, sl, w.Standby); err != nil {
			return err
		}
		return nil
	}
	return fmt.Errorf("no port free on both %s and %s: %w", primaryAddr, standbyAddr, errors.Join(errs...))
}

// FrontPort is the HTTPS port of both fronts (SWITCHYARD_CLIENT_PATH_PORT).
func (w *World) FrontPort() int { return w.frontPort }

// CAFile is the PEM file of the world's CA (SWITCHYARD_CLIENT_CA).
func (w *World) CAFile() string { return w.ca.file }

// Resolver asks the world's authoritative DNS server, as a client's
// resolver would end up doing for the example.test zone.
func (w *World) Resolver() *net.Resolver {
	addr := w.DNSAddr()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", addr)
	}}
}

func (w *World) closeFronts() {
	w.PrimaryFront.close()
	w.StandbyFront.close()
	if w.ca != nil {
		_ = os.RemoveAll(w.ca.dir)
	}
}
