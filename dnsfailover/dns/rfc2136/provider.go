// Package rfc2136 is the DNS provider for servers that accept dynamic
// updates (RFC 2136) signed with TSIG (RFC 8945): BIND, Knot, PowerDNS,
// and most self-run authoritative servers. It reads the switched record and
// its `_switchyard.<record>` state TXT with signed queries over TCP, and
// switches both in one UPDATE message whose prerequisites require both
// RRsets to hold exactly what was read. A server applies an UPDATE only if
// every prerequisite holds, and then all of it (RFC 2136 §3.2, §3.7), so the
// write is a real compare-and-swap and needs no claim record.
package rfc2136

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	sydns "github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// Defaults of Options.
const (
	DefaultAlgorithm  = "hmac-sha256"
	DefaultTTL        = 60
	DefaultTimeout    = 5 * time.Second
	DefaultMaxRetries = 3
)

// Options configure a Provider.
type Options struct {
	Server string // the primary server's host:port (port 53 when left out)
	Zone   string // the zone holding Record, as the server serves it, e.g. example.com
	// KeyName, Algorithm and Secret are the TSIG key the server grants
	// update rights on the zone. Secret is base64 and never appears in an
	// error or a log line.
	KeyName   string
	Algorithm string // hmac-sha1, hmac-sha224, hmac-sha256 (default), hmac-sha384 or hmac-sha512
	Secret    string
	Record    string // the switched record, e.g. assets.example.com
	Type      string // CNAME, A or AAAA
	TTL       int    // written on the record and the TXT; 0 means DefaultTTL

	Timeout    time.Duration // bounds each exchange (0: DefaultTimeout)
	MaxRetries int           // retries of SERVFAIL or no answer (0: DefaultMaxRetries; negative: never)
	Log        *slog.Logger  // default: discard
}

// Provider implements dns.Provider over RFC 2136.
type Provider struct {
	server     string
	zone       string // fully qualified, lower case
	record     string // fully qualified, lower case
	txtName    string // fully qualified
	name       string // record without the final dot, as snapshots and errors show it
	typ        uint16
	ttl        uint32
	keyName    string // fully qualified
	algorithm  string // miekg's name, e.g. hmac-sha256.
	client     *dns.Client
	maxRetries int
	log        *slog.Logger

	backoff time.Duration                                    // base of the retry backoff
	sleep   func(ctx context.Context, d time.Duration) error // waits between attempts
	// beforeUpdate, when set, runs between the read and the UPDATE of a
	// write; tests use it to move the record under a writer.
	beforeUpdate func()
}

var _ sydns.Provider = (*Provider)(nil)

// algorithms maps the names people write (and BIND and Knot use) to miekg's.
var algorithms = map[string]string{
	"hmac-sha1":   dns.HmacSHA1,
	"hmac-sha224": dns.HmacSHA224,
	"hmac-sha256": dns.HmacSHA256,
	"hmac-sha384": dns.HmacSHA384,
	"hmac-sha512": dns.HmacSHA512,
}

// New checks o, reporting every problem at once, and returns a Provider.
// It makes no request.
func New(o Options) (*Provider, error) {
	if o.Algorithm == "" {
		o.Algorithm = DefaultAlgorithm
	}
	if o.TTL == 0 {
		o.TTL = DefaultTTL
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	o.Server = strings.TrimSpace(o.Server)
	o.Server = withPort(o.Server)
	o.Zone = canonical(o.Zone)
	o.Record = canonical(o.Record)
	o.KeyName = canonical(o.KeyName)
	o.Algorithm = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(o.Algorithm)), ".")
	o.Type = strings.ToUpper(strings.TrimSpace(o.Type))
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("rfc2136: %w", err)
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	alg := algorithms[o.Algorithm]
	return &Provider{
		server:    o.Server,
		zone:      o.Zone,
		record:    o.Record,
		txtName:   canonical(state.RecordName(o.Record)),
		name:      strings.TrimSuffix(o.Record, "."),
		typ:       dns.StringToType[o.Type],
		ttl:       uint32(o.TTL),
		keyName:   o.KeyName,
		algorithm: alg,
		client: &dns.Client{
			Net:        "tcp",
			Timeout:    o.Timeout,
			TsigSecret: map[string]string{o.KeyName: o.Secret},
		},
		maxRetries: max(o.MaxRetries, 0),
		log:        log.With(slog.String("record", strings.TrimSuffix(o.Record, "."))),
		backoff:    baseBackoff,
		sleep:      sleepCtx,
	}, nil
}

func (o Options) validate() error {
	var errs []error
	if host, port, err := net.SplitHostPort(o.Server); err != nil || host == "" || !validPort(port) {
		errs = append(errs, fmt.Errorf("option Server %q: expected host:port of the primary server, such as ns1.example.com:53", o.Server))
	}
	if _, ok := dns.IsDomainName(o.Zone); !ok || o.Zone == "." {
		errs = append(errs, fmt.Errorf("option Zone %q: expected the zone's name, such as example.com", strings.TrimSuffix(o.Zone, ".")))
	}
	if _, ok := dns.IsDomainName(o.Record); !ok || o.Record == "." || strings.ContainsAny(o.Record, " /\"\\") {
		errs = append(errs, fmt.Errorf("option Record %q: expected a DNS name such as assets.example.com", strings.TrimSuffix(o.Record, ".")))
	} else if _, ok := dns.IsDomainName(o.Zone); ok && !dns.IsSubDomain(o.Zone, o.Record) {
		errs = append(errs, fmt.Errorf("option Record %q is not in option Zone %q", strings.TrimSuffix(o.Record, "."), strings.TrimSuffix(o.Zone, ".")))
	}
	if o.Type != "CNAME" && o.Type != "A" && o.Type != "AAAA" {
		errs = append(errs, fmt.Errorf("option Type %q: expected CNAME, A or AAAA", o.Type))
	}
	if _, ok := dns.IsDomainName(o.KeyName); !ok || o.KeyName == "." {
		errs = append(errs, fmt.Errorf("option KeyName %q: expected the TSIG key's name, such as switchyard-key", strings.TrimSuffix(o.KeyName, ".")))
	}
	if _, ok := algorithms[o.Algorithm]; !ok {
		errs = append(errs, fmt.Errorf("option Algorithm %q: expected hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384 or hmac-sha512", o.Algorithm))
	}
	if o.Secret == "" {
		errs = append(errs, errors.New("option Secret is empty: expected the TSIG key's base64 secret"))
	} else if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(o.Secret)); err != nil || len(b) == 0 {
		// Said without the secret itself, which must never be printed.
		errs = append(errs, errors.New("option Secret is not base64: expected the TSIG key's secret as BIND's and Knot's configurations write it"))
	}
	if o.TTL < 1 || o.TTL > 2147483647 {
		errs = append(errs, fmt.Errorf("option TTL %d: expected 1..2147483647 seconds", o.TTL))
	}
	if o.Timeout < 0 {
		errs = append(errs, fmt.Errorf("option Timeout %s: expected a positive duration", o.Timeout))
	}
	return errors.Join(errs...)
}

// withPort adds DNS's port 53 to a server given as a bare host name or
// address.
func withPort(server string) string {
	if server == "" {
		return ""
	}
	if a, err := netip.ParseAddr(strings.Trim(server, "[]")); err == nil {
		return net.JoinHostPort(a.String(), "53")
	}
	if !strings.Contains(server, ":") {
		return net.JoinHostPort(server, "53")
	}
	return server
}

func validPort(port string) bool {
	n, err := strconv.Atoi(port)
	return err == nil && n > 0 && n < 65536
}

// canonical lower-cases name and makes it fully qualified ("" stays "").
func canonical(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return ""
	}
	return dns.Fqdn(name)
}

// current is what a read found: the snapshot, and both RRsets exactly as
// the server holds them, which a write's prerequisites repeat.
type current struct {
	snap     sydns.Snapshot
	target   []dns.RR
	txt      []dns.RR // empty when the state TXT does not exist
	badState *sydns.BadStateError
}

// Read returns the record and its state, asked of the server itself.
func (p *Provider) Read(ctx context.Context) (sydns.Snapshot, error) {
	cur, err := p.read(ctx)
	if err != nil {
		return sydns.Snapshot{}, fmt.Errorf("rfc2136: read %s: %w", p.name, err)
	}
	if cur.badState != nil {
		return cur.snap, fmt.Errorf("rfc2136: read %s: %w", p.name, cur.badState)
	}
	return cur.snap, nil
}

func (p *Provider) read(ctx context.Context) (current, error) {
	target, err := p.query(ctx, p.record, p.typ)
	if err != nil {
		return current{}, err
	}
	typ := dns.TypeToString[p.typ]
	if len(target) != 1 {
		return current{}, fmt.Errorf("found %d %s records named %s on %s, expected exactly one: %w",
			len(target), typ, p.name, p.server, sydns.ErrPermanent)
	}
	cur := current{
		snap:   sydns.Snapshot{Name: p.name, Type: typ, Content: content(target[0]), TTL: int(target[0].Header().Ttl)},
		target: target,
	}
	cur.txt, err = p.query(ctx, p.txtName, dns.TypeTXT)
	if err != nil {
		return current{}, err
	}
	p.chooseState(&cur)
	return cur, nil
}

// chooseState decodes the state from the TXT RRset. A write replaces the
// whole RRset with one record, so several exist only when made by hand;
// then the highest generation is current (as every provider reads it).
func (p *Provider) chooseState(cur *current) {
	var badErr error
	found := false
	for _, rr := range cur.txt {
		st, err := state.Parse(txtContent(rr.(*dns.TXT)))
		if err != nil {
			badErr = err
			continue
		}
		if !found || st.Gen > cur.snap.State.Gen {
			cur.snap.State, found = st, true
		}
	}
	cur.snap.HasState = found
	if !found && badErr != nil {
		cur.badState = &sydns.BadStateError{Name: strings.TrimSuffix(p.txtName, "."), ID: "TXT", Err: badErr}
		return
	}
	if len(cur.txt) > 1 {
		p.log.Warn("rfc2136: several state TXT records; using the highest gen",
			slog.Int("count", len(cur.txt)), slog.Uint64("gen", cur.snap.State.Gen))
	}
}

// query asks the server for the RRset name/typ with a signed query over TCP
// and returns exactly that RRset (empty when the name or the type does not
// exist). It retries what may pass: SERVFAIL and no answer.
func (p *Provider) query(ctx context.Context, name string, typ uint16) ([]dns.RR, error) {
	op := "query " + strings.TrimSuffix(name, ".") + " " + dns.TypeToString[typ]
	var out []dns.RR
	err := p.retry(ctx, op, func() error {
		m := new(dns.Msg)
		m.SetQuestion(name, typ)
		r, err := p.exchange(ctx, m)
		if err != nil {
			return err
		}
		switch r.Rcode {
		case dns.RcodeSuccess, dns.RcodeNameError:
		default:
			return rcodeError(r, p)
		}
		if !r.Authoritative {
			return fmt.Errorf("%s answered without authority for %s: is it a primary server of zone %s? %w",
				p.server, strings.TrimSuffix(name, "."), strings.TrimSuffix(p.zone, "."), sydns.ErrPermanent)
		}
		out = out[:0]
		for _, rr := range r.Answer {
			h := rr.Header()
			if h.Rrtype == typ && h.Class == dns.ClassINET && strings.EqualFold(h.Name, name) {
				out = append(out, rr)
			}
		}
		return nil
	})
	return out, err
}

// exchange sends m signed with the key over TCP and checks the answer's
// signature: an unsigned or badly signed answer is not trusted.
func (p *Provider) exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
	m.SetTsig(p.keyName, p.algorithm, 300, time.Now().Unix())
	r, _, err := p.client.ExchangeContext(ctx, m, p.server)
	if r != nil {
		if t := r.IsTsig(); t != nil && t.Error != dns.RcodeSuccess {
			return nil, tsigError(t.Error, p)
		}
	}
	if err != nil {
		if errors.Is(err, dns.ErrSig) || errors.Is(err, dns.ErrTime) || errors.Is(err, dns.ErrSecret) || errors.Is(err, dns.ErrKeyAlg) {
			return nil, fmt.Errorf("answer from %s failed TSIG verification with key %s: %v: %w",
				p.server, strings.TrimSuffix(p.keyName, "."), err, sydns.ErrPermanent)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &netError{err: err}
	}
	if r.IsTsig() == nil {
		return nil, fmt.Errorf("%s answered %s without a TSIG signature; refusing to trust it: %w",
			p.server, dns.RcodeToString[r.Rcode], sydns.ErrPermanent)
	}
	return r, nil
}

// content is the record's target as switchyard compares and shows it.
func content(rr dns.RR) string {
	switch rr := rr.(type) {
	case *dns.CNAME:
		return strings.TrimSuffix(rr.Target, ".")
	case *dns.A:
		return rr.A.String()
	case *dns.AAAA:
		return rr.AAAA.String()
	}
	return rr.String()
}
