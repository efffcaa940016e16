//go:build linux

package netns

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns/cloudflare"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// vantageIDs are the deployment's vantage points, the local world's and
// the recommended topology: two AWS regions, two Google Cloud regions and
// one on Azure (quorum 3 of 5 from 2 providers). They live on nets 1 to 5.
var vantageIDs = world.DefaultVantages

const (
	observePort = "8080"
	originPort  = "9000"
	apiPort     = "8081"
	dnsPort     = "5353"
	waitLimit   = 45 * time.Second // generous: CI runs these beside -race builds on 2 cores
)

// Probe timing: fast enough that a case ends in seconds, with the same
// ordering the configuration enforces (probe < peer < interval).
var timing = []string{
	"SWITCHYARD_INTERVAL=1s",
	"SWITCHYARD_PROBE_TIMEOUT=500ms",
	"SWITCHYARD_LATENCY_BUDGET=400ms",
	"SWITCHYARD_PEER_TIMEOUT=800ms",
	"SWITCHYARD_FAIL_AFTER=2",
}

// deployment is a whole switchyard deployment across namespaces: the
// primary origin alone in one, the standby origin with the DNS service in
// another, and every vantage point in its own.
type deployment struct {
	t        *testing.T
	tp       *topology
	vantages []*vantagePoint
	procs    []*process
	secrets  []string // every secret handed out, for the leak check
	token    string   // the Cloudflare-compatible API's
}

type vantagePoint struct {
	id, role string
	ns       string
	url      string // base URL of its /observe and /status
	proc     *process
}

type deployOptions struct {
	// rotating puts the gcp vantage points half-way through a key rotation:
	// they send the new key and accept the old one as
	// SWITCHYARD_SECRET_PREVIOUS, while every other one has only the old key.
	rotating bool
}

func deploy(t *testing.T, o deployOptions) *deployment {
	t.Helper()
	probeBin, servicesBin := binary(t, probePkg), binary(t, servicesPkg)
	roles := map[string]int{"primary": primaryNet, "services": servicesNet}
	for i := range vantageIDs {
		roles[vantageRole(i)] = i + 1
	}
	d := &deployment{t: t, tp: newTopology(t, roles)}
	token, oldKey, newKey := randomHex(t, 20), randomHex(t, 32), randomHex(t, 32)
	d.secrets, d.token = []string{token, oldKey, newKey}, token

	t.Cleanup(d.assertNoSecretsInOutput) // runs once every process has stopped
	pri := start(t, "primary origin", d.tp.ns("primary"), nil, nil, servicesBin,
		"-origin", "primary="+leafAddr(primaryNet)+":"+originPort)
	svc := start(t, "services", d.tp.ns("services"), []string{"SWITCHYARD_NETNS_TOKEN=" + token}, d.secrets, servicesBin,
		"-origin", "standby="+leafAddr(servicesNet)+":"+originPort,
		"-api", leafAddr(servicesNet)+":"+apiPort, "-dns", leafAddr(servicesNet)+":"+dnsPort)
	d.procs = append(d.procs, pri, svc)
	pri.waitReady(t, 10*time.Second)
	svc.waitReady(t, 10*time.Second)

	sum := sha256.Sum256([]byte("switchyard canary v1\n"))
	common := append([]string{
		"SWITCHYARD_RECORD=" + world.Record,
		"SWITCHYARD_PRIMARY_TARGET=" + world.PrimaryTarget,
		"SWITCHYARD_STANDBY_TARGET=" + world.StandbyTarget,
		"SWITCHYARD_PRIMARY_CHECK=" + checkURL(leafAddr(primaryNet)),
		"SWITCHYARD_STANDBY_CHECK=" + checkURL(leafAddr(servicesNet)),
		"SWITCHYARD_CHECK_SHA256=" + hex.EncodeToString(sum[:]),
		// The netns origins serve plain HTTP at their own addresses, not
		// HTTPS at the record's name: the client path is the local world's to play.
		"SWITCHYARD_CLIENT_PATH=off",
		"SWITCHYARD_PRIMARY_S3_ACCESS_KEY_ID=netns", "SWITCHYARD_PRIMARY_S3_SECRET_ACCESS_KEY=netns-not-checked-by-gofakes3",
		"SWITCHYARD_STANDBY_S3_ACCESS_KEY_ID=netns", "SWITCHYARD_STANDBY_S3_SECRET_ACCESS_KEY=netns-not-checked-by-gofakes3",
		"SWITCHYARD_CLOUDFLARE_API_URL=http://" + leafAddr(servicesNet) + ":" + apiPort + "/client/v4",
		"SWITCHYARD_CLOUDFLARE_ZONE_ID=" + world.ZoneID,
		"CLOUDFLARE_API_TOKEN=" + token,
		"PORT=" + observePort,
	}, timing...)
	for i, id := range vantageIDs {
		v := &vantagePoint{id: id, role: vantageRole(i), ns: d.tp.ns(vantageRole(i)), url: "http://" + leafAddr(i+1) + ":" + observePort}
		d.vantages = append(d.vantages, v)
	}
	for _, v := range d.vantages {
		var peers []string
		for _, p := range d.vantages {
			if p != v {
				peers = append(peers, p.id+"="+p.url)
			}
		}
		env := append(append([]string{}, common...), "SWITCHYARD_VANTAGE="+v.id, "SWITCHYARD_PEERS="+strings.Join(peers, ","))
		if o.rotating && strings.HasPrefix(v.id, "gcp:") {
			env = append(env, "SWITCHYARD_SECRET="+newKey, "SWITCHYARD_SECRET_PREVIOUS="+oldKey)
		} else {
			env = append(env, "SWITCHYARD_SECRET="+oldKey)
		}
		v.proc = start(t, v.id, v.ns, env, d.secrets, probeBin, "serve")
		d.procs = append(d.procs, v.proc)
	}

	// Healthy first: every vantage point has probed both origins and read
	// the record through the API.
	for _, v := range d.vantages {
		d.waitStatus(v, "a healthy round", func(s status) bool {
			return s.Primary.OK && s.Standby.OK && s.Active == "primary"
		})
	}
	return d
}

func vantageRole(i int) string { return fmt.Sprintf("v%d", i+1) }

// checkURL is the s3:// canary check of an origin served at addr.
func checkURL(addr string) string {
	u := url.URL{
		Scheme:   "s3",
		Host:     world.Bucket,
		Path:     "/" + world.CanaryKey,
		RawQuery: url.Values{"endpoint": {"http://" + addr + ":" + originPort}, "region": {"us-east-1"}}.Encode(),
	}
	return u.String()
}

// status is the part of GET /status the tests read.
type status struct {
	Vantage string `json:"vantage"`
	Primary struct {
		OK     bool   `json:"ok"`
		Reason string `json:"reason"`
	} `json:"primary"`
	Standby struct {
		OK bool `json:"ok"`
	} `json:"standby"`
	Active   string `json:"active"`
	Decision struct {
		Action string
		Reason string
	} `json:"decision"`
	Verdict *struct {
		PrimaryDown   bool
		Down, Up      int
		DownProviders []string
		Abstained     []string
		Reason        string
	} `json:"verdict"`
	Error string `json:"error"`
}

// waitStatus polls v's /status (from inside v's namespace) until ok holds,
// and fails the test after waitLimit, showing the last status seen.
func (d *deployment) waitStatus(v *vantagePoint, what string, ok func(status) bool) status {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last status
	var lastErr error
	for {
		var s status
		if lastErr = getJSON(ctx, v.ns, v.url+"/status", &s); lastErr == nil {
			last = s
			if ok(s) {
				return s
			}
		}
		select {
		case <-ctx.Done():
			d.t.Fatalf("%s: no %s within %s; last status %+v (error %v)", v.id, what, waitLimit, last, lastErr)
		case <-tick.C:
		}
	}
}

// refused waits for v to have asked its peers and been refused by the
// quorum, and returns that round.
func (d *deployment) refused(v *vantagePoint) status {
	d.t.Helper()
	s := d.waitStatus(v, "refused switch", func(s status) bool {
		return s.Verdict != nil && s.Decision.Action == "refuse" || s.Active == "standby"
	})
	if s.Active == "standby" {
		d.t.Fatalf("%s: the record was switched to the standby; want a refusal (last decision %+v)", v.id, s.Decision)
	}
	return s
}

// answer asks the deployment's authoritative DNS server, as a resolver
// would, what it answers for name.
func (d *deployment) answer(name string, qtype uint16) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return queryIn(ctx, d.tp.ns("services"), leafAddr(servicesNet)+":"+dnsPort, name, qtype)
}

// record returns what DNS answers for the record and the state as the
// Cloudflare-compatible API holds it (read through the real provider: the
// design reads state through the API, never through DNS).
func (d *deployment) record() (string, state.State) {
	d.t.Helper()
	target, err := d.answer(world.Record, mdns.TypeCNAME)
	if err != nil {
		d.t.Fatalf("query %s: %v", world.Record, err)
	}
	p, err := cloudflare.New(cloudflare.Options{
		APIURL: "http://" + leafAddr(servicesNet) + ":" + apiPort + "/client/v4", ZoneID: world.ZoneID,
		Token: d.token, Record: world.Record, Type: "CNAME", HTTPClient: clientIn(d.tp.ns("services")),
	})
	if err != nil {
		d.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	snap, err := p.Read(ctx)
	if err != nil {
		d.t.Fatalf("read the record through the API: %v", err)
	}
	return target, snap.State
}

// waitAnswer polls the DNS server until it answers want for the record.
func (d *deployment) waitAnswer(want string) {
	d.t.Helper()
	deadline := time.Now().Add(waitLimit)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		got, err := d.answer(world.Record, mdns.TypeCNAME)
		if err == nil && got == want {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("DNS answers %q (error %v), still not %q after %s", got, err, want, waitLimit)
		}
		<-tick.C
	}
}

// assertUnmoved checks that the record still points at the primary at
// generation 0 and that no vantage point logged a switch.
func (d *deployment) assertUnmoved() {
	d.t.Helper()
	target, st := d.record()
	if target != world.PrimaryTarget || st.Active != state.Primary || st.Gen != 0 {
		d.t.Errorf("record moved: answers %s, state %s", target, st.Format())
	}
	for _, v := range d.vantages {
		if n := len(v.proc.logEntries("switched")); n > 0 {
			d.t.Errorf("%s logged %d switches", v.id, n)
		}
	}
}

// assertNoSecretsInOutput fails the test if any secret reached any
// process's output (logs, errors, status).
func (d *deployment) assertNoSecretsInOutput() {
	for _, p := range d.procs {
		out := p.output()
		for _, s := range d.secrets {
			if strings.Contains(out, s) {
				d.t.Errorf("%s printed a secret", p.name) // not the output: it holds the secret
			}
		}
	}
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
