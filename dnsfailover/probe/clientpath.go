package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ClientPathSpec describes a client-path check: the canary fetched the way
// a client will fetch it once the record points at Target. The origin's own
// check (New) asks the origin at its own name; clients never do. They ask
// for the record's name, their resolver follows the record to Target, and
// the origin must then present a certificate for the record's name and
// route that Host to the canary. This check does exactly that, so a
// custom domain never attached, a certificate that does not cover the name
// or a Host that routes nowhere fails here instead of after the switch.
// See CLIENTPATH.md beside this file.
type ClientPathSpec struct {
	// Spec holds the judge (SHA256, Contains, LatencyBudget), Timeout and
	// Now, as for New. Its URL and S3 keys are not used.
	Spec
	// Record is the switched record's name: the SNI, the Host header and
	// the name the certificate must be valid for.
	Record string
	// Target is the record's content for this origin: a hostname (CNAME,
	// resolved to its addresses) or an IPv4/IPv6 address (A/AAAA).
	Target string
	// Side names the origin in reasons ("standby", "primary").
	Side string
	// Path is the canary's path and query as a client asks for it, e.g.
	// /canary.txt.
	Path string
	// Port is the HTTPS port clients use; 0 = 443.
	Port int
	// RootCAs verifies the certificate; nil = the system roots.
	RootCAs *x509.CertPool
	// Resolver resolves a hostname Target; nil = net.DefaultResolver.
	Resolver *net.Resolver
}

// NewClientPath checks spec and returns the client-path check. The error is
// only for a bad spec and names the field at fault.
func NewClientPath(spec ClientPathSpec) (Func, error) {
	if spec.Side == "" {
		spec.Side = "origin"
	}
	record := strings.TrimSuffix(spec.Record, ".")
	if record == "" || strings.ContainsAny(record, "/:@ ") {
		return nil, fmt.Errorf("probe: client path: Record %q is not a host name", spec.Record)
	}
	target := strings.TrimSuffix(spec.Target, ".")
	if target == "" || strings.ContainsAny(target, "/@ ") {
		return nil, fmt.Errorf("probe: client path: %s Target %q is not a host name or address", spec.Side, spec.Target)
	}
	if spec.Port < 0 || spec.Port > 65535 {
		return nil, fmt.Errorf("probe: client path: Port %d is out of range 1-65535 (0 for 443)", spec.Port)
	}
	if spec.Port == 0 {
		spec.Port = 443
	}
	path := spec.Path
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	host := record
	if spec.Port != 443 {
		host = net.JoinHostPort(record, strconv.Itoa(spec.Port))
	}
	u, err := url.Parse("https://" + host + path)
	if err != nil {
		return nil, fmt.Errorf("probe: client path: Path %q does not make a URL with the record's name", spec.Path)
	}
	j, err := newJudge(spec.Spec)
	if err != nil {
		return nil, err
	}
	if spec.Spec, err = spec.Spec.withDefaults(); err != nil {
		return nil, err
	}
	if spec.Resolver == nil {
		spec.Resolver = net.DefaultResolver
	}
	cp := clientPath{spec: spec, record: record, target: target, port: strconv.Itoa(spec.Port)}
	client := noOffHostRedirects(cp.client(), u.Host)
	raw := u.String()
	fetch := func(ctx context.Context) (int, []byte, string, error) {
		resp, err := get(ctx, client, raw)
		if err != nil {
			return 0, nil, "", cp.word(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
			return resp.StatusCode, nil, "", redirectFailure(resp, u.Host)
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			// The origin answered, but not with the canary for this name:
			// the Host routes nowhere (or to the wrong bucket).
			return resp.StatusCode, nil, "", failure(fmt.Sprintf("%d for Host %s", resp.StatusCode, record))
		}
		body, err := readBody(resp.Body)
		return resp.StatusCode, body, resp.Header.Get("ETag"), err
	}
	label := fmt.Sprintf("%s via %s", RedactURL(u), target)
	return check(spec.Spec, label, j, fetch), nil
}

// clientPath is one client-path check's fixed parts.
type clientPath struct {
	spec                 ClientPathSpec
	record, target, port string
}

// errNoAddress marks a Target that resolves to nothing.
type errNoAddress struct{ err error }

func (e errNoAddress) Error() string { return e.err.Error() }
func (e errNoAddress) Unwrap() error { return e.err }

// client dials Target's addresses whatever host the URL names, and
// verifies the certificate for the record's name: the URL's host is the
// record, so Go sends it as SNI and Host and checks the certificate
// against it, exactly as a client's browser would.
func (cp clientPath) client() *http.Client {
	t := &http.Transport{
		Proxy:             nil, // a proxy would resolve the record itself
		DisableKeepAlives: true,
		TLSClientConfig:   &tls.Config{RootCAs: cp.spec.RootCAs, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2: true,
	}
	t.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		addrs, err := cp.resolve(ctx)
		if err != nil {
			return nil, err
		}
		var d net.Dialer
		var firstErr error
		for _, a := range addrs {
			c, err := d.DialContext(ctx, network, net.JoinHostPort(a, cp.port))
			if err == nil {
				return c, nil
			}
			if firstErr == nil {
				firstErr = err
			}
		}
		return nil, firstErr
	}
	return &http.Client{Transport: t}
}

// resolve returns Target's addresses: the address itself for A/AAAA, the
// addresses at the end of its CNAME chain for a hostname.
func (cp clientPath) resolve(ctx context.Context) ([]string, error) {
	if ip := net.ParseIP(cp.target); ip != nil {
		return []string{ip.String()}, nil
	}
	addrs, err := cp.spec.Resolver.LookupHost(ctx, cp.target)
	if err == nil && len(addrs) == 0 {
		err = errors.New("no addresses")
	}
	if err != nil {
		return nil, errNoAddress{err}
	}
	return addrs, nil
}

// word turns a failed request into the reason a person can act on: which
// name the certificate covers instead of the record's, or that the target
// does not resolve.
func (cp clientPath) word(err error) error {
	var noAddr errNoAddress
	var hostErr x509.HostnameError
	var unknownCA x509.UnknownAuthorityError
	switch {
	case errors.As(err, &noAddr):
		detail := ""
		var dnsErr *net.DNSError
		if errors.As(noAddr.err, &dnsErr) && !dnsErr.IsNotFound {
			detail = ": " + dnsErr.Err
		}
		return failure(fmt.Sprintf("no address for %s target %s%s", cp.spec.Side, cp.target, detail))
	case errors.As(err, &hostErr):
		return failure(fmt.Sprintf("certificate valid for %s, not %s", certNames(hostErr.Certificate), cp.record))
	case errors.As(err, &unknownCA):
		return failure(fmt.Sprintf("certificate for %s signed by an unknown authority", cp.record))
	}
	return err
}

// certNames lists the names a certificate is valid for, as a person reads them.
func certNames(c *x509.Certificate) string {
	if c == nil {
		return "other names"
	}
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, c.Subject.CommonName)
	}
	if len(names) == 0 {
		return "no names"
	}
	return strings.Join(names, ", ")
}
