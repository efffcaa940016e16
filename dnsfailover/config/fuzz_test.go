package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
)

// FuzzPeersDecode checks that SWITCHYARD_PEERS never panics the parser,
// that what it accepts is well formed, and that an accepted list written
// back as id=url,... decodes to the same list.
func FuzzPeersDecode(f *testing.F) {
	for _, s := range []string{
		"", "gcp:europe-west1=https://a.example.com,aws:us-east-1=http://10.0.0.1:8080/x",
		"a:b=https://u:p@h/", "a:b=", "=https://x", ",,", "a:b=https://x,a:b=https://y",
		"aws:us-east-1 = https://x ", "a:b=https://[::1]:80", "a:b=%zz", "a:b=https://x=y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var p Peers
		err := p.Decode(in)
		if err != nil {
			if p != nil {
				t.Fatalf("Decode(%q) failed but left %d peers", in, len(p))
			}
			return
		}
		var parts []string
		for _, peer := range p {
			if !validVantageID(peer.ID) || probe.CheckBaseURL(peer.URL) != nil {
				t.Fatalf("Decode(%q) accepted %+v", in, peer)
			}
			parts = append(parts, peer.ID+"="+peer.URL)
		}
		var again Peers
		if err := again.Decode(strings.Join(parts, ",")); err != nil || len(again) != len(p) {
			t.Fatalf("round trip of %q: %v, %d peers, want %d", in, err, len(again), len(p))
		}
		for i := range p {
			if again[i] != p[i] {
				t.Fatalf("round trip of %q: %+v, want %+v", in, again[i], p[i])
			}
		}
	})
}

// FuzzLoad sets a few variables to arbitrary values and loads: Load must
// not panic, must fail only with a *ValidationError and a zero Config, and
// must never repeat the secret.
func FuzzLoad(f *testing.F) {
	f.Add("aws:us-east-1", "gcp:x=https://p.example.com", "10s", "3", "assets.example.com")
	f.Add("", "", "", "", "")
	f.Add("bad id", "a=b", "-1s", "x", "-")
	f.Fuzz(func(t *testing.T, vantage, peers, interval, failAfter, rec string) {
		const secret = "fuzz-secret-0123456789abcdef-0123456789abcdef"
		for k, v := range map[string]string{
			"SWITCHYARD_VANTAGE": vantage, "SWITCHYARD_PEERS": peers, "SWITCHYARD_INTERVAL": interval,
			"SWITCHYARD_FAIL_AFTER": failAfter, "SWITCHYARD_RECORD": rec, "SWITCHYARD_SECRET": secret,
			"CLOUDFLARE_API_TOKEN": secret,
		} {
			if strings.ContainsRune(v, 0) {
				return // environment values cannot hold NUL
			}
			t.Setenv(k, v)
		}
		c, err := Load()
		if err == nil {
			return
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) == 0 {
			t.Fatalf("Load failed with %T %v, want a *ValidationError listing problems", err, err)
		}
		if c.Record != "" || c.Vantage != "" || c.Secret != "" {
			t.Fatalf("Load failed but returned a filled Config")
		}
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("the error repeats the secret: %v", err)
		}
	})
}
