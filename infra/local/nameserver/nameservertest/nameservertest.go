// Package nameservertest starts a real BIND or Knot server for a test, and
// skips the test, saying what to install, when the server is not installed.
package nameservertest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/switchyard-dns/switchyard/infra/local/nameserver"
)

// Zone is the zone every test server serves.
const Zone = "example.com"

// NewKey returns a fresh hmac-sha256 TSIG key named switchyard-test.
func NewKey() nameserver.Key { return NewNamedKey("switchyard-test.") }

// NewNamedKey returns a fresh hmac-sha256 TSIG key named name.
func NewNamedKey(name string) nameserver.Key {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	return nameserver.Key{Name: name, Algorithm: "hmac-sha256", Secret: base64.StdEncoding.EncodeToString(secret)}
}

// Start runs a server of kind serving Zone with records (master file
// lines, fully qualified), signed updates allowed with key. It is stopped
// when the test ends; its log is shown if the test failed.
func Start(t testing.TB, kind nameserver.Kind, key nameserver.Key, records ...string) *nameserver.Server {
	t.Helper()
	return StartWith(t, nameserver.Options{Kind: kind, Key: key, Records: records})
}

// StartWith is Start with more options; Dir and Zone are filled in.
func StartWith(t testing.TB, o nameserver.Options) *nameserver.Server {
	t.Helper()
	if _, err := o.Kind.Look(); err != nil {
		_, pkg := o.Kind.Binary()
		t.Skipf("%v: skipping the %s tests (scripts/test installs %s when run as root)", err, o.Kind, pkg)
	}
	o.Dir, o.Zone = t.TempDir(), Zone
	s, err := nameserver.Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.Close()
		if t.Failed() {
			t.Logf("%s log:\n%s", o.Kind, strings.TrimSpace(s.Log()))
		}
	})
	return s
}
