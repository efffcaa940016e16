package world

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/miekg/dns"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/cloudflare"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/authdns"
	"github.com/switchyard-dns/switchyard/infra/local/nameserver"
	"github.com/switchyard-dns/switchyard/infra/local/route53api"
)

// The DNS providers the world can run on (Options.DNS).
const (
	// DNSCloudflare: the Cloudflare-compatible API, its records served by
	// the world's own authoritative server (authdns). The default.
	DNSCloudflare = "cloudflare"
	// DNSRoute53: the Route 53-compatible API, its records served by the
	// world's own authoritative server (authdns), which answers from the
	// API's store at once: the world's Route 53 name servers are always
	// in sync, and the API still reports each change PENDING for a while.
	DNSRoute53 = "route53"
	// DNSRFC2136: a real BIND (or Knot, Options.NameServer) that takes the
	// signed updates and answers dig itself.
	DNSRFC2136 = "rfc2136"
)

// DNSProviders lists the values of Options.DNS; several may be given,
// comma-separated (cloudflare,rfc2136), for a zone served by all of them.
var DNSProviders = []string{DNSCloudflare, DNSRoute53, DNSRFC2136}

// CheckDNS checks a value of Options.DNS: one of DNSProviders, or several,
// comma-separated, each once.
func CheckDNS(s string) error {
	seen := map[string]bool{}
	for _, name := range strings.Split(s, ",") {
		if !slices.Contains(DNSProviders, name) {
			return fmt.Errorf("%q: expected one of %s, or several comma-separated (e.g. cloudflare,rfc2136)", name, strings.Join(DNSProviders, ", "))
		}
		if seen[name] {
			return fmt.Errorf("%s is listed twice", name)
		}
		seen[name] = true
	}
	return nil
}

// DNSNames is Options.DNS as a list.
func (w *World) DNSNames() []string { return strings.Split(w.opts.DNS, ",") }

// answerer is one provider's authoritative server.
type answerer struct{ name, addr string }

// startAuthDNS starts an authoritative server answering from records, as
// provider name's name servers.
func (w *World) startAuthDNS(name string, records func() []authdns.Record) error {
	d, err := authdns.Start("127.0.0.1:0", Zone, records)
	if err != nil {
		return fmt.Errorf("start %s's DNS server: %w", name, err)
	}
	w.authDNS = append(w.authDNS, d)
	if w.DNS == nil {
		w.DNS = d
	}
	w.addAnswerer(name, d.Addr())
	return nil
}

func (w *World) addAnswerer(name, addr string) {
	w.answerers = append(w.answerers, answerer{name, addr})
	if w.dnsAddr == "" {
		w.dnsAddr = addr
	}
}

// route53AccessKey is the access key id the world's Route 53 service
// expects; its secret key is random per world (the service checks only the
// id, as its package says).
const route53AccessKey = "AKIDSWITCHYARDLOCAL"

// setupRecords are the zone's records at the start, as a person would set
// them up: the switched record on the primary with its state TXT (created
// at setup, as infra/cloudflare does), the origins' names, and the drill
// record with its own state.
func setupRecords() []authdns.Record {
	initial := state.State{Active: state.Primary, Gen: 0, By: "setup", Reason: "initial state"}
	drill := state.State{Active: state.Primary, Gen: 0, By: "setup", Reason: "drill record"}
	return []authdns.Record{
		{Name: Record, Type: "CNAME", Content: PrimaryTarget, TTL: 60},
		{Name: state.RecordName(Record), Type: "TXT", Content: cloudflare.QuoteTXT(initial.Format()), TTL: 60},
		{Name: "primary.origin." + Zone, Type: "A", Content: "127.0.0.1", TTL: 300},
		{Name: "standby.origin." + Zone, Type: "A", Content: "127.0.0.2", TTL: 300},
		{Name: DrillRecord, Type: "CNAME", Content: PrimaryTarget, TTL: 60},
		{Name: state.RecordName(DrillRecord), Type: "TXT", Content: cloudflare.QuoteTXT(drill.Format()), TTL: 60},
	}
}

// startRoute53 serves the Route 53-compatible API and an authoritative
// server answering from its store.
func (w *World) startRoute53() error {
	w.R53 = route53api.New(route53api.Options{AccessKey: route53AccessKey, ZoneName: Zone,
		SyncDelay: w.opts.Interval})
	for _, r := range append(setupRecords(), w.groupSetup()...) {
		w.R53.Put(route53api.RecordSet{Name: r.Name, Type: r.Type, TTL: int64(r.TTL), Values: []string{r.Content}})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen for the Route 53 API: %w", err)
	}
	w.r53URL = "http://" + ln.Addr().String()
	w.r53Server = &http.Server{Handler: w.R53, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = w.r53Server.Serve(ln) }()
	if err := w.startAuthDNS(DNSRoute53, w.route53Records); err != nil {
		return err
	}
	w.R53.OnChange(func([]route53api.RecordSet) { w.dnsMaybeChanged() })
	return nil
}

func (w *World) route53Records() []authdns.Record {
	var out []authdns.Record
	for _, rs := range w.R53.Records() {
		for _, v := range rs.Values {
			out = append(out, authdns.Record{Name: strings.TrimSuffix(rs.Name, "."), Type: rs.Type, Content: v, TTL: int(rs.TTL)})
		}
	}
	return out
}

// startRFC2136 starts a real BIND or Knot holding the zone, and watches its
// answer: it has no change hook, so the world asks it often.
func (w *World) startRFC2136(ctx context.Context) error {
	kind := w.opts.NameServer
	if kind == "" {
		kind = nameserver.BIND
	}
	var lines []string
	for _, r := range append(setupRecords(), w.groupSetup()...) {
		content := r.Content
		if r.Type == "CNAME" {
			content = dns.Fqdn(content)
		}
		lines = append(lines, fmt.Sprintf("%s. %d IN %s %s", r.Name, r.TTL, r.Type, content))
	}
	dir, err := os.MkdirTemp("", "switchyard-nameserver-")
	if err != nil {
		return err
	}
	w.nsDir = dir
	w.tsig = nameserver.Key{Name: "switchyard-local.", Algorithm: "hmac-sha256", Secret: randomBase64(32)}
	if w.NS, err = nameserver.Start(ctx, nameserver.Options{Kind: kind, Dir: dir, Zone: Zone, Records: lines, Key: w.tsig}); err != nil {
		return err
	}
	w.addAnswerer(DNSRFC2136, w.NS.Addr)
	watch, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	w.stopWatch = func() { cancel(); <-done }
	go func() {
		defer close(done)
		t := time.NewTicker(min(w.opts.Interval/10, 20*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-watch.Done():
				return
			case <-t.C:
				w.dnsMaybeChanged()
			}
		}
	}()
	return nil
}

// dnsConfig points c at the world's DNS providers.
func (w *World) dnsConfig(c *config.Config) {
	c.DNSProvider = w.opts.DNS
	for _, name := range w.DNSNames() {
		switch name {
		case DNSRoute53:
			c.Route53HostedZoneID, c.Route53EndpointURL = w.R53.ZoneID(), w.r53URL
		case DNSRFC2136:
			c.RFC2136Server, c.RFC2136Zone = w.NS.Addr, Zone
			c.RFC2136TSIGKeyName, c.RFC2136TSIGAlgorithm = w.tsig.Name, w.tsig.Algorithm
			c.RFC2136TSIGSecret = config.Secret(w.tsig.Secret)
		default:
			c.CloudflareAPIURL, c.CloudflareZoneID, c.CloudflareAPIToken = w.cfURL, ZoneID, config.Secret(w.token)
		}
	}
}

// AWSCredentials sign the vantage points' Route 53 requests.
func (w *World) AWSCredentials() credentials.StaticCredentialsProvider {
	return credentials.NewStaticCredentialsProvider(route53AccessKey, w.r53Secret, "")
}

// StateTXT returns the content of every state TXT of Record as the
// provider holds it (quoted, as Cloudflare stores it). With several
// providers, a state every provider holds is listed once; any other is
// listed too, so providers that disagree show as several.
func (w *World) StateTXT() []string {
	var out []string
	seen := map[string]bool{}
	for _, name := range w.DNSNames() {
		for _, txt := range w.ProviderStateTXT(name) {
			key := txt
			if st, err := state.Parse(txt); err == nil {
				key = st.Format()
			}
			if !seen[key] {
				seen[key] = true
				out = append(out, txt)
			}
		}
	}
	return out
}

// ProviderStateTXT is StateTXT of one of the world's providers.
func (w *World) ProviderStateTXT(provider string) []string {
	name := state.RecordName(Record)
	var out []string
	switch provider {
	case DNSRoute53:
		for _, r := range w.route53Records() {
			if r.Type == "TXT" && r.Name == name {
				out = append(out, r.Content)
			}
		}
	case DNSRFC2136:
		rrs, err := w.NS.Transfer(w.tsig)
		if err != nil {
			w.opts.Log.Error("zone transfer", "error", err)
			return nil
		}
		for _, rr := range rrs {
			if txt, ok := rr.(*dns.TXT); ok && strings.EqualFold(txt.Hdr.Name, name+".") {
				out = append(out, strings.TrimPrefix(txt.String(), txt.Hdr.String()))
			}
		}
	default:
		for _, r := range w.CF.Records() {
			if r.Type == "TXT" && r.Name == name {
				out = append(out, r.Content)
			}
		}
	}
	return out
}

// ProviderDescription says which DNS providers the world runs and where.
func (w *World) ProviderDescription() string {
	var each []string
	for _, name := range w.DNSNames() {
		switch name {
		case DNSRoute53:
			each = append(each, fmt.Sprintf("Route 53 API %s (hosted zone %s)", w.r53URL, w.R53.ZoneID()))
		case DNSRFC2136:
			each = append(each, fmt.Sprintf("RFC 2136 on %s %s (TSIG key %s)", w.NS.Kind, w.NS.Addr, strings.TrimSuffix(w.tsig.Name, ".")))
		default:
			each = append(each, fmt.Sprintf("Cloudflare API %s (zone id %s)", w.cfURL, ZoneID))
		}
	}
	return strings.Join(each, " + ")
}
