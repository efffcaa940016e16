// Package world starts switchyard's local world: everything a failover needs,
// on one machine, with no cloud account. Two S3-compatible origins, a
// Cloudflare-API-compatible DNS service that also answers real DNS queries,
// and several vantage points running the real probe code (assemble.Vantage),
// each with its own fault-injecting network so a scenario can cut it off or
// slow it on its own.
package world

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dnsanswer"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/cloudflare"
	"github.com/switchyard-dns/switchyard/dnsfailover/report"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/authdns"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
	"github.com/switchyard-dns/switchyard/infra/local/faults"
	"github.com/switchyard-dns/switchyard/infra/local/nameserver"
	"github.com/switchyard-dns/switchyard/infra/local/origins"
	"github.com/switchyard-dns/switchyard/infra/local/route53api"
)

// Names used by the local world.
const (
	Zone          = "example.test"
	Record        = "assets.example.test"
	PrimaryTarget = "primary.origin.example.test"
	StandbyTarget = "standby.origin.example.test"
	ZoneID        = "023e105f4ecef8ad9ca31a8372d0c353"
	Bucket        = "assets"
	CanaryKey     = "switchyard/canary.txt"
)

// DefaultVantages are the vantage points of the local world, the topology
// the README recommends: two AWS regions, two Google Cloud regions and one
// vantage point on a third provider (Azure), so that a quorum of 3 of 5
// from 2 providers survives the loss of any one provider whole and resists
// any one going blind (see dnsfailover/topology).
var DefaultVantages = []string{"aws:us-east-1", "aws:eu-west-1", "gcp:europe-west1", "gcp:us-central1", "azure:westeurope"}

// Options shape the world.
type Options struct {
	Vantages     []string      // default DefaultVantages
	Interval     time.Duration // probe interval; default 1s
	ProbeTimeout time.Duration // default Interval*3/5
	FastInterval time.Duration // re-checks on suspicion; default Interval/5 (SWITCHYARD_FAST_INTERVAL's own default)
	FailAfter    int           // default 3
	RecoverAfter int           // default 3
	Failback     string        // manual (default) or auto
	MinDwell     time.Duration // default 10 intervals
	DNSCache     time.Duration // SWITCHYARD_DNS_CACHE of every vantage point; default 1m
	Log          *slog.Logger  // nil: discard
	// Clock, when set, gives each vantage point its own clock (see clock.go).
	Clock func(id string) func() time.Time
	// Events receives every vantage event and every world event. It must not block.
	Events func(Event)
	// ParityKeys are put on both origins and set as every vantage point's
	// SWITCHYARD_PARITY_KEYS (see drill.go).
	ParityKeys []string
	// ClientPath is every vantage point's SWITCHYARD_CLIENT_PATH; "" is
	// its default, standby (primary-domain-broken sets both).
	ClientPath string
	// Notify, NotifyWebhookSecret and PagerDutyURL are every vantage
	// point's SWITCHYARD_NOTIFY, SWITCHYARD_NOTIFY_WEBHOOK_SECRET and
	// SWITCHYARD_PAGERDUTY_URL (empty: no notifications).
	Notify              string
	NotifyWebhookSecret string
	PagerDutyURL        string
	// DNS is the DNS provider the vantage points write (DNSProviders;
	// default DNSCloudflare), and NameServer the server DNSRFC2136 runs
	// (default BIND).
	DNS        string
	NameServer nameserver.Kind
	// Group switches GroupRecords with Record as one failover group
	// (SWITCHYARD_GROUP; group.go).
	Group bool
}

// Event is something that happened in the world: a vantage event, a fault
// injected by a scenario, or a change of the authoritative DNS answer.
type Event struct {
	vantage.Event
	Answer string `json:"answer,omitempty"` // for dns_changed: what DNS now answers
}

// World events, besides the vantage.EventKind values. Their kinds are the
// timeline's (dnsfailover/report), which draws them.
const (
	EventFault      = report.EventFault
	EventHeal       = report.EventHeal
	EventDNSChanged = report.EventDNSChanged
	EventNote       = report.EventNote // a scenario's remark on what it checked
)

// World is a running local world.
type World struct {
	opts    Options
	Primary *origins.Origin
	Standby *origins.Origin
	// PrimaryFront and StandbyFront serve the origins the way clients
	// reach them (tlsfront.go).
	PrimaryFront, StandbyFront *Front
	ca                         *localCA
	frontPort                  int
	CF                         *cloudflareapi.Server // with DNS cloudflare
	R53                        *route53api.Server    // with DNS route53
	NS                         *nameserver.Server    // with DNS rfc2136
	DNS                        *authdns.Server       // answers for CF or R53 (the first); nil with rfc2136 alone
	Nodes                      []*Node

	cfServer *http.Server
	cfURL    string
	token    string
	secret   string
	s3Key    string // the origins' secret access key (gofakes3 does not check it)

	dnsAddr string // the authoritative server dig asks (the first provider's)
	// answerers are every provider's authoritative server, in Options.DNS
	// order: with several providers, resolvers ask any of them.
	answerers []answerer
	authDNS   []*authdns.Server // every authoritative server the world started
	r53Server *http.Server
	r53URL    string
	r53Secret string
	tsig      nameserver.Key
	nsDir     string
	stopWatch func() // stops watching the rfc2136 server's answer, and waits

	mu       sync.Mutex
	answer   string
	watchers []chan struct{}
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// Node is one vantage point in the world.
type Node struct {
	ID      string
	Config  config.Config
	Vantage *vantage.Vantage
	// Net carries this vantage point's origin checks: cut or slow it to
	// partition this vantage alone.
	Net *faults.Transport
	// PeerNet carries its requests to peers.
	PeerNet *faults.Transport
	URL     string

	ln     net.Listener
	srv    *http.Server
	cancel context.CancelFunc
	done   chan struct{}
}

// Start builds and starts a world; Close stops it.
func Start(ctx context.Context, o Options) (_ *World, err error) {
	o = withDefaults(o)
	// w is not the named result: every error return sets that to nil,
	// and the deferred Close must still see what was started.
	w := &World{opts: o, token: randomHex(20), secret: randomHex(32), s3Key: randomHex(40), r53Secret: randomHex(40)}
	defer func() {
		if err != nil {
			w.Close()
		}
	}()
	canary := []byte("switchyard canary v1\n")
	if w.Primary, err = origins.Start("primary", Bucket, CanaryKey, canary); err != nil {
		return nil, fmt.Errorf("start primary origin: %w", err)
	}
	if w.Standby, err = origins.Start("standby", Bucket, CanaryKey, canary); err != nil {
		return nil, fmt.Errorf("start standby origin: %w", err)
	}

	if err := w.startFronts(); err != nil {
		return nil, err
	}
	if err := w.putParityKeys(ctx); err != nil {
		return nil, err
	}
	w.answer = PrimaryTarget
	for _, name := range w.DNSNames() {
		switch name {
		case DNSRoute53:
			err = w.startRoute53()
		case DNSRFC2136:
			err = w.startRFC2136(ctx)
		default:
			err = w.startCloudflare()
		}
		if err != nil {
			return nil, err
		}
	}

	if err := w.startNodes(ctx, canary); err != nil {
		return nil, err
	}
	return w, nil
}

// startCloudflare serves the Cloudflare-compatible API and an
// authoritative server answering from its store.
func (w *World) startCloudflare() error {
	w.CF = cloudflareapi.New(cloudflareapi.Options{Token: w.token, ZoneID: ZoneID, ZoneName: Zone})
	w.CF.Add(cloudflareapi.Record{Name: Record, Type: "CNAME", Content: PrimaryTarget, TTL: 60})
	// The state TXT is created at setup, as infra/cloudflare does, so every
	// switch is a patch: Cloudflare has no conditional create, and two
	// racing first switches could otherwise each create one.
	initial := state.State{Active: state.Primary, Gen: 0, By: "setup", Reason: "initial state"}
	w.CF.Add(cloudflareapi.Record{Name: state.RecordName(Record), Type: "TXT", Content: cloudflare.QuoteTXT(initial.Format()), TTL: 60})
	w.CF.Add(cloudflareapi.Record{Name: "primary.origin." + Zone, Type: "A", Content: "127.0.0.1", TTL: 300})
	w.CF.Add(cloudflareapi.Record{Name: "standby.origin." + Zone, Type: "A", Content: "127.0.0.2", TTL: 300})
	w.addDrillRecord()
	for _, r := range w.groupSetup() {
		w.CF.Add(cloudflareapi.Record{Name: r.Name, Type: r.Type, Content: r.Content, TTL: r.TTL})
	}
	cfLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen for the Cloudflare API: %w", err)
	}
	w.cfURL = "http://" + cfLn.Addr().String() + "/client/v4"
	w.cfServer = &http.Server{Handler: w.CF.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = w.cfServer.Serve(cfLn) }()

	if err := w.startAuthDNS(DNSCloudflare, w.dnsRecords); err != nil {
		return err
	}
	w.CF.OnChange(func([]cloudflareapi.Record) { w.dnsMaybeChanged() })

	return nil
}

func withDefaults(o Options) Options {
	if len(o.Vantages) == 0 {
		o.Vantages = DefaultVantages
	}
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.ProbeTimeout <= 0 {
		o.ProbeTimeout = o.Interval * 3 / 5
	}
	if o.FastInterval <= 0 {
		o.FastInterval = o.Interval / 5
	}
	if o.FailAfter <= 0 {
		o.FailAfter = 3
	}
	if o.RecoverAfter <= 0 {
		o.RecoverAfter = 3
	}
	if o.Failback == "" {
		o.Failback = "manual"
	}
	if o.MinDwell <= 0 {
		o.MinDwell = 10 * o.Interval
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.DNS == "" {
		o.DNS = DNSCloudflare
	}
	return o
}

func (w *World) startNodes(ctx context.Context, canary []byte) error {
	for _, id := range w.opts.Vantages {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("listen for vantage %s: %w", id, err)
		}
		w.Nodes = append(w.Nodes, &Node{ID: id, ln: ln, URL: "http://" + ln.Addr().String()})
	}
	sum := sha256.Sum256(canary)
	for _, n := range w.Nodes {
		n.Config = w.configFor(n.ID, hex.EncodeToString(sum[:]))
		if err := n.Config.Validate(); err != nil {
			return fmt.Errorf("vantage %s configuration: %w", n.ID, err)
		}
		n.Net = faults.New(cleanTransport())
		n.PeerNet = faults.New(cleanTransport())
		v, err := assemble.Vantage(n.Config, assemble.Deps{
			ProbeHTTP:      &http.Client{Transport: n.Net},
			PeerHTTP:       &http.Client{Transport: n.PeerNet},
			Resolver:       w.Resolver(),
			Log:            w.opts.Log,
			Now:            w.opts.clockFor(n.ID),
			Events:         func(e vantage.Event) { w.emit(Event{Event: e}) },
			AWSCredentials: w.AWSCredentials(),
		})
		if err != nil {
			return fmt.Errorf("vantage %s: %w", n.ID, err)
		}
		n.Vantage = v
		h, err := assemble.Handler(v, n.Config, w.opts.Log)
		if err != nil {
			return fmt.Errorf("vantage %s: %w", n.ID, err)
		}
		n.srv = &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = n.srv.Serve(n.ln) }()
	}
	runCtx, cancel := context.WithCancel(ctx)
	w.cancel = cancel
	for _, n := range w.Nodes {
		w.startLoop(runCtx, n)
	}
	return nil
}

func (w *World) startLoop(ctx context.Context, n *Node) {
	ctx, n.cancel = context.WithCancel(ctx)
	n.done = make(chan struct{})
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		defer close(n.done)
		n.Vantage.Run(ctx, w.opts.Interval)
	}()
}

// configFor is the configuration one vantage point would have in a real
// deployment, pointed at the local services.
func (w *World) configFor(id, canarySHA string) config.Config {
	var ps config.Peers
	for _, other := range w.Nodes {
		if other.ID != id {
			ps = append(ps, config.Peer{ID: other.ID, URL: other.URL})
		}
	}
	i := w.opts.Interval
	c := config.Config{
		Record:               Record,
		RecordType:           "CNAME",
		PrimaryTarget:        PrimaryTarget,
		StandbyTarget:        StandbyTarget,
		Group:                w.group(),
		PrimaryCheck:         w.Primary.CheckURL(),
		StandbyCheck:         w.Standby.CheckURL(),
		CheckSHA256:          canarySHA,
		LatencyBudget:        w.opts.ProbeTimeout / 2,
		ProbeTimeout:         w.opts.ProbeTimeout,
		PrimaryS3AccessKeyID: "local-primary", PrimaryS3SecretAccessKey: config.Secret(w.s3Key),
		StandbyS3AccessKeyID: "local-standby", StandbyS3SecretAccessKey: config.Secret(w.s3Key),
		Vantage:             id,
		Peers:               ps,
		Secret:              config.Secret(w.secret),
		PeerTimeout:         w.opts.ProbeTimeout + i/5,
		ClockSkew:           30 * time.Second,
		Interval:            i,
		FastInterval:        w.opts.FastInterval,
		FailAfter:           w.opts.FailAfter,
		RecoverAfter:        w.opts.RecoverAfter,
		Failback:            w.opts.Failback,
		MinDwell:            w.opts.MinDwell,
		DNSCacheTTL:         cmp.Or(w.opts.DNSCache, time.Minute),
		RecordTTL:           60,
		ParityKeys:          strings.Join(w.opts.ParityKeys, ","),
		ParityRequired:      true,
		ClientPath:          cmp.Or(w.opts.ClientPath, "standby"),
		ClientPathPort:      w.frontPort,
		ClientCA:            w.ca.file,
		ClientResolver:      w.DNSAddr(),
		DrillRecord:         DrillRecord,
		DrillResolver:       w.DNSAddr(),
		Notify:              config.Secret(w.opts.Notify),
		NotifyWebhookSecret: config.Secret(w.opts.NotifyWebhookSecret),
		PagerDutyURL:        w.opts.PagerDutyURL,
		Port:                0,
	}

	w.dnsConfig(&c)
	return c
}

// cleanTransport is a transport of the vantage's own: no shared connection
// pool, so cutting one vantage off cannot hang another.
func cleanTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	return t
}

// dnsRecords feeds the authoritative DNS server from the Cloudflare store.
func (w *World) dnsRecords() []authdns.Record {
	var out []authdns.Record
	for _, r := range w.CF.Records() {
		out = append(out, authdns.Record{Name: r.Name, Type: r.Type, Content: r.Content, TTL: r.TTL})
	}
	return out
}

// dnsMaybeChanged asks the real DNS server what it answers now and emits
// dns_changed when that moved: the moment that counts for users.
func (w *World) dnsMaybeChanged() {
	ans, err := w.Answer(context.Background())
	if err != nil {
		w.opts.Log.Error("query local DNS", "error", err)
		return
	}
	w.mu.Lock()
	changed := ans != w.answer
	w.answer = ans
	watchers := w.watchers
	w.watchers = nil
	w.mu.Unlock()
	for _, c := range watchers {
		close(c)
	}
	if changed {
		w.emit(Event{Event: vantage.Event{Kind: EventDNSChanged, At: time.Now(), Target: ans}, Answer: ans})
	}
}

// Answer queries the world's DNS server over UDP, as dig would, and returns
// the CNAME target it answers for Record. With several DNS providers it asks
// each provider's server, as resolvers spread over a zone's NS set: the
// answer is the target when all agree, and "split: cloudflare=X rfc2136=Y"
// (never equal to a target) while they do not.
func (w *World) Answer(ctx context.Context) (string, error) {
	var each []string
	split := false
	for _, a := range w.answerers {
		ans, err := dnsanswer.Query(ctx, a.addr, Record, "CNAME")
		if err == nil && ans == "" {
			err = fmt.Errorf("no answer for %s", Record)
		}
		if err != nil {
			return "", fmt.Errorf("%s's name server: %w", a.name, err)
		}
		split = split || len(each) > 0 && ans != strings.SplitN(each[0], "=", 2)[1]
		each = append(each, a.name+"="+ans)
	}
	if len(each) == 0 {
		return "", errors.New("the world runs no DNS server")
	}
	if split {
		return "split: " + strings.Join(each, " "), nil
	}
	return strings.SplitN(each[0], "=", 2)[1], nil
}

// WaitAnswer blocks until the DNS server answers want, or ctx ends.
func (w *World) WaitAnswer(ctx context.Context, want string) error {
	for {
		w.mu.Lock()
		c := make(chan struct{})
		w.watchers = append(w.watchers, c)
		current := w.answer
		w.mu.Unlock()
		if current == want {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("DNS still answers %s, waiting for %s: %w", current, want, ctx.Err())
		case <-c:
		}
	}
}

// CurrentAnswer is the last answer the world saw from its DNS server.
func (w *World) CurrentAnswer() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.answer
}

func (w *World) emit(e Event) {
	if w.opts.Events != nil {
		w.opts.Events(e)
	}
}

// Fault records a fault or heal injected by a scenario in the timeline.
func (w *World) Fault(kind vantage.EventKind, what string) {
	w.emit(Event{Event: vantage.Event{Kind: kind, At: time.Now(), Reason: what}})
}

// Node returns the vantage point with id.
func (w *World) Node(id string) *Node {
	i := slices.IndexFunc(w.Nodes, func(n *Node) bool { return n.ID == id })
	if i < 0 {
		return nil
	}
	return w.Nodes[i]
}

// Kill stops a vantage point entirely: it stops probing and its server stops
// answering, as when its whole region is down.
func (w *World) Kill(id string) error {
	n := w.Node(id)
	if n == nil {
		return fmt.Errorf("no vantage point %q", id)
	}
	n.cancel()
	<-n.done
	return n.srv.Close()
}

// APIURL, DNSAddr, Token and Secret describe the world for other tools.
func (w *World) APIURL() string  { return w.cfURL }
func (w *World) DNSAddr() string { return w.dnsAddr }
func (w *World) Token() string   { return w.token }
func (w *World) Secret() string  { return w.secret }

// Secrets lists every secret value the world hands out (API token, peer
// key, S3 secret key), for tests that prove none of them leaks.
func (w *World) Secrets() []string {
	// Only those set: the DNS services this world does not run have none,
	// and an empty "secret" is found in every text.
	var out []string
	for _, s := range []string{w.token, w.secret, w.s3Key, w.r53Secret, w.tsig.Secret} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
func (w *World) Options() Options { return w.opts }

// Close stops everything.
func (w *World) Close() {
	if w.cancel != nil {
		w.cancel()
	}
	w.wg.Wait()
	// Deliver what the vantage points had to tell before they go: a
	// notification test counts messages after the world stops.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, n := range w.Nodes {
		if n.Vantage != nil {
			_ = n.Vantage.Notifier().Flush(ctx)
			n.Vantage.Notifier().Close()
		}
	}
	for _, n := range w.Nodes {
		if n.srv != nil {
			_ = n.srv.Close()
		} else if n.ln != nil {
			_ = n.ln.Close()
		}
	}
	if w.cfServer != nil {
		_ = w.cfServer.Close()
	}
	if w.stopWatch != nil {
		w.stopWatch()
	}
	for _, d := range w.authDNS {
		_ = d.Close()
	}
	if w.r53Server != nil {
		_ = w.r53Server.Close()
	}
	if w.NS != nil {
		_ = w.NS.Close()
	}
	if w.nsDir != "" {
		_ = os.RemoveAll(w.nsDir)
	}
	w.closeFronts()
	for _, o := range []*origins.Origin{w.Primary, w.Standby} {
		if o != nil {
			o.Close()
		}
	}
}

func randomBase64(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(errors.New("crypto/rand failed: " + err.Error()))
	}
	return base64.StdEncoding.EncodeToString(b)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(errors.New("crypto/rand failed: " + err.Error()))
	}
	return hex.EncodeToString(b)[:n]
}
