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

	// The key checks are built once, on first use: a round must not build
	// a client (and, for s3:// with the default chain, fetch credentials)
	// per key per origin.
	once   sync.Once
	checks []keyCheck
}

// keyCheck is one key's pair of checks, or why they could not be built.
type keyCheck struct {
	key              string
	primary, standby probe.Func
	err              error
}

func buildChecks(keys []string, primary, standby probe.Spec) []keyCheck {
	checks := make([]keyCheck, len(keys))
	for i, key := range keys {
		checks[i].key = key
		for _, side := range []struct {
			spec probe.Spec
			f    *probe.Func
		}{{primary, &checks[i].primary}, {standby, &checks[i].standby}} {
			ks, err := KeySpec(side.spec, key)
			if err == nil {
				*side.f, err = probe.New(ks)
			}
			if err != nil {
				checks[i].err = err
				break
			}
		}
	}
	return checks
}

// Check compares the canary results of a round and then every key. A
// report whose canary could not be compared is returned without fetching
// keys: an origin that does not answer the canary will not answer them.
func (c *Checker) Check(ctx context.Context, primary, standby probe.Result) Comparison {
	canary := CompareKey(Canary, primary, standby)
	if canary.Match == Unknown || len(c.Keys) == 0 {
		return Of(canary)
	}
	c.once.Do(func() { c.checks = buildChecks(c.Keys, c.Primary, c.Standby) })
	keys := runChecks(ctx, c.checks)
	return Of(append([]Object{canary}, keys.Objects...)...)
}

// CheckKeys fetches every key on both origins and compares them. A spec
// that cannot be built for a key (a bad key) makes that key Unknown, with
// the reason.
func CheckKeys(ctx context.Context, keys []string, primary, standby probe.Spec) Comparison {
	return runChecks(ctx, buildChecks(keys, primary, standby))
}

func runChecks(ctx context.Context, checks []keyCheck) Comparison {
	objects := make([]Object, len(checks))
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, kc := range checks {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			objects[i] = kc.run(ctx)
		})
	}
	wg.Wait()
	return Of(objects...)
}

func (kc keyCheck) run(ctx context.Context) Object {
	if kc.err != nil {
		return Object{Key: kc.key, Match: Unknown, Reason: kc.err.Error()}
	}
	var primary, standby probe.Result
	var wg sync.WaitGroup
	wg.Go(func() { primary = kc.primary(ctx) })
	standby = kc.standby(ctx)
	wg.Wait()
	return CompareKey(kc.key, primary, standby)
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
