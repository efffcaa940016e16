package parity_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/parity"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/infra/local/origins"
)

// TestCheckKeysAgainstRealOrigins runs the canary and three sample keys
// against two real S3-compatible origins, over s3:// (SigV4 GetObject) and
// plain HTTP, with the standby missing one key and holding another stale.
func TestCheckKeysAgainstRealOrigins(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	canary := []byte("canary\n")
	start := func(name string) *origins.Origin {
		o, err := origins.Start(name, "assets", "switchyard/canary.txt", canary)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(o.Close)
		return o
	}
	primary, standby := start("primary"), start("standby")
	put := func(o *origins.Origin, key, body string) {
		if err := o.Put(ctx, key, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	put(primary, "img/logo.png", "logo")
	put(standby, "img/logo.png", "logo")
	put(primary, "css/site.css", "body{}")
	put(primary, "index.html", "<h1>v2</h1>")
	put(standby, "index.html", "<h1>v1</h1>")

	sum := sha256.Sum256(canary)
	s3spec := func(o *origins.Origin) probe.Spec {
		return probe.Spec{URL: o.CheckURL(), SHA256: hex.EncodeToString(sum[:]), AccessKeyID: "k", SecretAccessKey: "s", Timeout: 5 * time.Second}
	}
	httpSpec := func(o *origins.Origin) probe.Spec {
		return probe.Spec{URL: o.URL() + "/assets/switchyard/canary.txt", Timeout: 5 * time.Second}
	}
	t.Run("s3", func(t *testing.T) {
		c := parity.Checker{Keys: []string{"img/logo.png", "css/site.css", "index.html"}, Primary: s3spec(primary), Standby: s3spec(standby)}
		check := func(s probe.Spec) probe.Result {
			f, err := probe.New(s)
			if err != nil {
				t.Fatal(err)
			}
			return f(ctx)
		}
		r := c.Check(ctx, check(c.Primary), check(c.Standby))
		verdicts := map[string]parity.Match{}
		for _, o := range r.Objects {
			verdicts[o.Key] = o.Match
		}
		want := map[string]parity.Match{parity.Canary: parity.Same, "img/logo.png": parity.Same, "css/site.css": parity.Missing, "index.html": parity.Different}
		for k, v := range want {
			if verdicts[k] != v {
				t.Errorf("%s: verdict %s, want %s (report %+v)", k, verdicts[k], v, r)
			}
		}
		if r.OK || !slices.Equal(r.Failed, []string{"css/site.css", "index.html"}) {
			t.Errorf("report OK=%v Failed=%v, want the missing and the stale key", r.OK, r.Failed)
		}
		if r.Objects[0].Primary.SHA256 != hex.EncodeToString(sum[:]) || r.Objects[0].Primary.Size != int64(len(canary)) {
			t.Errorf("canary side = %+v, want its SHA-256 and size", r.Objects[0].Primary)
		}
	})
	t.Run("http path keys", func(t *testing.T) {
		// Over plain HTTP the key replaces the whole path, so path-style
		// keys carry the bucket.
		r := parity.CheckKeys(ctx, []string{"assets/img/logo.png", "assets/css/site.css"}, httpSpec(primary), httpSpec(standby))
		if r.OK || !slices.Equal(r.Failed, []string{"assets/css/site.css"}) {
			t.Errorf("report = %+v, want only css missing", r)
		}
		if r.Objects[0].ETag != "same" {
			t.Errorf("single-part objects of gofakes3: ETag %q, want same", r.Objects[0].ETag)
		}
	})
	t.Run("standby down is not a parity failure", func(t *testing.T) {
		standby.SetDown(true)
		defer standby.SetDown(false)
		r := parity.CheckKeys(ctx, []string{"img/logo.png"}, s3spec(primary), s3spec(standby))
		if !r.OK || r.Comparable() {
			t.Errorf("report = %+v, want OK and nothing compared", r)
		}
	})
}
