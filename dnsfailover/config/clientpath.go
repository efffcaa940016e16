package config

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
)

// ClientPathSides says which origins get the client-path check
// (SWITCHYARD_CLIENT_PATH).
func (c Config) ClientPathSides() (primary, standby bool) {
	switch c.ClientPath {
	case "primary":
		return true, false
	case "both":
		return true, true
	case "off":
		return false, false
	}
	// "" is a Config built in code rather than loaded: the default.
	return false, true
}

// ClientPathCanary is the path and query clients ask for at the record's
// name: the https:// check's own path, or /<key> of an s3:// check (the
// bucket behind a custom domain serves its keys at the root).
func (c Config) ClientPathCanary(check string) string {
	u, err := probe.ParseCheckURL(check)
	if err != nil {
		return "/"
	}
	if u.Kind == probe.KindS3 {
		return "/" + u.Key
	}
	return u.URL.RequestURI()
}

// ClientRoots reads SWITCHYARD_CLIENT_CA: nil (the system roots) when unset.
func (c Config) ClientRoots() (*x509.CertPool, error) {
	if c.ClientCA == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(c.ClientCA)
	if err != nil {
		return nil, fmt.Errorf("cannot read it: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", c.ClientCA)
	}
	return pool, nil
}

func (c Config) checkClientPath(k *checker) {
	switch c.ClientPath {
	case "", "standby", "primary", "both", "off":
	default:
		k.add("SWITCHYARD_CLIENT_PATH", "%q: want standby, primary, both or off", c.ClientPath)
	}
	if k.usable("SWITCHYARD_CLIENT_PATH_PORT") && (c.ClientPathPort < 0 || c.ClientPathPort > 65535) {
		k.add("SWITCHYARD_CLIENT_PATH_PORT", "%d: want a port from 1 to 65535", c.ClientPathPort)
	}
	if c.ClientResolver != "" {
		host, port, err := net.SplitHostPort(c.ClientResolver)
		n, perr := strconv.Atoi(port)
		if err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
			k.add("SWITCHYARD_CLIENT_RESOLVER", "%q: want host:port of a DNS server, e.g. 10.0.0.2:53", c.ClientResolver)
		}
	}
	if _, err := c.ClientRoots(); err != nil {
		k.add("SWITCHYARD_CLIENT_CA", "%v", err)
	}
}

// ClientResolverOr is r, or when r is nil a resolver asking
// SWITCHYARD_CLIENT_RESOLVER, or nil (the system's) when that is unset.
func (c Config) ClientResolverOr(r *net.Resolver) *net.Resolver {
	if r != nil || c.ClientResolver == "" {
		return r
	}
	addr := c.ClientResolver
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}
