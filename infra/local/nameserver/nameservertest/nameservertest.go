// Package nameservertest starts a real BIND or Knot server for a test, and
// skips the test, saying what to install, when the server is not installed
// (under CI=true it fails instead: see Need).
package nameservertest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
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
	if Need(t, o.Kind) == "" {
		return nil
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

// Need returns the path of kind's server program. When it is not installed
// the test skips, saying what to install, except under CI=true, where it
// fails: CI installs BIND and Knot (scripts/test), so a missing one there is
// a broken setup, and a skip would pass the RFC 2136 tests without running
// them. Every test that needs a name server asks here, so the rule has one
// home (test/internal/browser applies the same one to Chromium).
func Need(t testing.TB, kind nameserver.Kind) string {
	t.Helper()
	prog, err := kind.Look()
	if err == nil {
		return prog
	}
	_, pkg := kind.Binary()
	msg := fmt.Sprintf("%v: skipping the %s tests (scripts/test installs %s when run as root)", err, kind, pkg)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI must run them", msg)
	}
	t.Skip(msg)
	return ""
}
