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

// NewKey returns a fresh hmac-sha256 TSIG key.
func NewKey() nameserver.Key {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	return nameserver.Key{Name: "switchyard-test.", Algorithm: "hmac-sha256",
		Secret: base64.StdEncoding.EncodeToString(secret)}
}

// Start runs a server of kind serving Zone with records (master file
// lines, fully qualified), signed updates allowed with key. It is stopped
// when the test ends; its log is shown if the test failed.
func Start(t testing.TB, kind nameserver.Kind, key nameserver.Key, records ...string) *nameserver.Server {
	t.Helper()
	if _, err := kind.Look(); err != nil {
		_, pkg := kind.Binary()
		t.Skipf("%v: skipping the %s tests (scripts/test installs %s when run as root)", err, kind, pkg)
	}
	s, err := nameserver.Start(context.Background(), nameserver.Options{
		Kind: kind, Dir: t.TempDir(), Zone: Zone, Records: records, Key: key,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.Close()
		if t.Failed() {
			t.Logf("%s log:\n%s", kind, strings.TrimSpace(s.Log()))
		}
	})
	return s
}
