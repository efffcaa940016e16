package parity

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
)

// concurrency bounds how many keys are fetched at once (each on both
// origins), so a manifest never floods an origin or the prober.
const concurrency = 4

// Checker compares the canary and a manifest of sample keys. Primary and
// Standby are the canary checks' specs; each key is fetched with a copy
// whose URL names the key instead (KeySpec).
type Checker struct {
	Keys    []string
	Primary probe.Spec
	Standby probe.Spec
}

// Check compares the canary results of a round and then every key. A
// report whose canary could not be compared is returned without fetching
// keys: an origin that does not answer the canary will not answer them.
func (c Checker) Check(ctx context.Context, primary, standby probe.Result) Report {
	canary := CompareKey(Canary, primary, standby)
	if canary.Verdict == Unknown || len(c.Keys) == 0 {
		return Of(canary)
	}
	keys := CheckKeys(ctx, c.Keys, c.Primary, c.Standby)
	return Of(append([]Object{canary}, keys.Objects...)...)
}

// CheckKeys fetches every key on both origins and compares them. A spec
// that cannot be built for a key (a bad key) makes that key Unknown, with
// the reason.
func CheckKeys(ctx context.Context, keys []string, primary, standby probe.Spec) Report {
	objects := make([]Object, len(keys))
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, key := range keys {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			objects[i] = checkKey(ctx, key, primary, standby)
		})
	}
	wg.Wait()
	return Of(objects...)
}

func checkKey(ctx context.Context, key string, primary, standby probe.Spec) Object {
	var (
		results [2]probe.Result
		wg      sync.WaitGroup
	)
	for i, spec := range []probe.Spec{primary, standby} {
		ks, err := KeySpec(spec, key)
		if err == nil {
			var check probe.Func
			if check, err = probe.New(ks); err == nil {
				wg.Go(func() { results[i] = check(ctx) })
				continue
			}
		}
		return Object{Key: key, Verdict: Unknown, Reason: err.Error()}
	}
	wg.Wait()
	return CompareKey(key, results[0], results[1])
}

// KeySpec is canary with its URL pointing at key instead of the canary
// object, and without the canary's expectations (expected SHA-256,
// substring, latency budget), which are about the canary alone. The key
// replaces the object key of an s3:// URL, and the path of an http(s) URL:
// https://host/switchyard/canary.txt with key img/logo.png checks
// https://host/img/logo.png. Query and credentials are kept as they are.
func KeySpec(canary probe.Spec, key string) (probe.Spec, error) {
	if key == "" || strings.HasPrefix(key, "/") {
		return probe.Spec{}, fmt.Errorf("parity: key %q: want an object key such as img/logo.png", key)
	}
	u, err := url.Parse(canary.URL)
	if err != nil {
		return probe.Spec{}, fmt.Errorf("parity: key %s: the check URL cannot be parsed", key)
	}
	u.Path, u.RawPath = "/"+key, ""
	ks := canary
	ks.URL = u.String()
	ks.SHA256, ks.Contains, ks.LatencyBudget = "", "", 0
	return ks, nil
}
