// Package cloudflare is the Cloudflare DNS provider: it reads and switches
// one record and its `_switchyard.<record>` state TXT through the Cloudflare
// v4 API, writing both in one batch request, which Cloudflare runs as a
// single database transaction.
package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	cfdns "github.com/cloudflare/cloudflare-go/v6/dns"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// DefaultAPIURL is Cloudflare's v4 API.
const DefaultAPIURL = "https://api.cloudflare.com/client/v4"

// Defaults of Options.
const (
	DefaultMaxRetries     = 3
	DefaultRequestTimeout = 5 * time.Second
	DefaultTTL            = 60
)

// Options configure a Provider.
type Options struct {
	APIURL string // default DefaultAPIURL; the local world points it at its own service
	ZoneID string // the zone holding Record
	// Token is an API token with Zone DNS Edit on the zone. It is sent as a
	// bearer token and never appears in an error or a log line.
	Token  string
	Record string // the switched record, e.g. assets.example.com
	Type   string // CNAME, A or AAAA
	TTL    int    // written on the record and the TXT: 1 (automatic) or 60..86400; 0 means DefaultTTL

	HTTPClient *http.Client // default: a client of its own
	// MaxRetries is how often a request failing with 429, 5xx or no answer
	// is retried (0: DefaultMaxRetries; negative: never).
	MaxRetries int
	// RequestTimeout bounds each attempt (0: DefaultRequestTimeout).
	RequestTimeout time.Duration
	Log            *slog.Logger // default: discard
}

// Provider implements dns.Provider for Cloudflare.
type Provider struct {
	api        recordsAPI
	zoneID     string
	record     string
	txtName    string
	typ        string
	ttl        int
	maxRetries int
	log        *slog.Logger

	backoff time.Duration                                    // base of the retry backoff
	sleep   func(ctx context.Context, d time.Duration) error // waits between attempts
}

var _ dns.Provider = (*Provider)(nil)

// New checks o, reporting every problem at once, and returns a Provider.
// It makes no request.
func New(o Options) (*Provider, error) {
	if o.APIURL == "" {
		o.APIURL = DefaultAPIURL
	}
	if o.TTL == 0 {
		o.TTL = DefaultTTL
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	o.Record = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(o.Record), "."))
	o.Type = strings.ToUpper(strings.TrimSpace(o.Type))
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("cloudflare: %w", err)
	}
	client := o.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	api := cfdns.NewRecordService(
		option.WithBaseURL(o.APIURL),
		option.WithAPIToken(o.Token),
		option.WithHTTPClient(client),
		// cloudflare-go retries 10 times with up to 30s between attempts,
		// and would replay a batch blindly; we retry ourselves (call, Write).
		option.WithMaxRetries(0),
		option.WithRequestTimeout(o.RequestTimeout),
		option.WithMiddleware(checkSuccess),
	)
	return &Provider{
		api:        api,
		zoneID:     o.ZoneID,
		record:     o.Record,
		txtName:    state.RecordName(o.Record),
		typ:        o.Type,
		ttl:        o.TTL,
		maxRetries: max(o.MaxRetries, 0),
		log:        log.With(slog.String("record", o.Record)),
		backoff:    baseBackoff,
		sleep:      sleepCtx,
	}, nil
}

func (o Options) validate() error {
	var errs []error
	if u, err := url.Parse(o.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("option APIURL %q: expected an http(s) URL such as %s", o.APIURL, DefaultAPIURL))
	}
	if o.ZoneID == "" {
		errs = append(errs, errors.New("option ZoneID is empty: expected the id of the zone holding the record"))
	}
	if o.Token == "" {
		errs = append(errs, errors.New("option Token is empty: expected an API token with Zone DNS Edit"))
	} else if strings.ContainsFunc(o.Token, func(r rune) bool { return r <= ' ' || r > '~' }) {
		// Said without the token itself, which must never be printed.
		errs = append(errs, errors.New("option Token holds spaces, control or non-ASCII characters: expected a Cloudflare API token"))
	}
	if o.Record == "" || strings.ContainsAny(o.Record, " /\"") {
		errs = append(errs, fmt.Errorf("option Record %q: expected a DNS name such as assets.example.com", o.Record))
	}
	if o.Type != "CNAME" && o.Type != "A" && o.Type != "AAAA" {
		errs = append(errs, fmt.Errorf("option Type %q: expected CNAME, A or AAAA", o.Type))
	}
	if o.TTL != 1 && (o.TTL < 60 || o.TTL > 86400) {
		errs = append(errs, fmt.Errorf("option TTL %d: expected 1 (automatic) or 60..86400 seconds", o.TTL))
	}
	if o.RequestTimeout < 0 {
		errs = append(errs, fmt.Errorf("option RequestTimeout %s: expected a positive duration", o.RequestTimeout))
	}
	return errors.Join(errs...)
}

// current is what a read found, with the ids a write needs.
type current struct {
	snap     dns.Snapshot
	targetID string
	txtID    string // "" when the TXT does not exist yet
	claimID  string // the current generation claim; "" before the first switch
	claimGen uint64
	badState *dns.BadStateError // the state TXT exists but none parses
}

// Read returns the record and its state from the API.
func (p *Provider) Read(ctx context.Context) (dns.Snapshot, error) {
	cur, err := p.read(ctx)
	if err != nil {
		return dns.Snapshot{}, fmt.Errorf("cloudflare: read %s: %w", p.record, err)
	}
	if cur.badState != nil {
		// The record itself was read: return it with the error, so that
		// an operator's status shows where it points.
		return cur.snap, fmt.Errorf("cloudflare: read %s: %w", p.record, cur.badState)
	}
	return cur.snap, nil
}

func (p *Provider) read(ctx context.Context) (current, error) {
	targets, err := p.list(ctx, p.record, p.typ)
	if err != nil {
		return current{}, err
	}
	if len(targets) != 1 {
		return current{}, fmt.Errorf("found %d %s records named %s in the zone, expected exactly one: %w",
			len(targets), p.typ, p.record, dns.ErrPermanent)
	}
	cur := current{
		snap:     dns.Snapshot{Name: p.record, Type: p.typ, Content: targets[0].content, TTL: targets[0].ttl},
		targetID: targets[0].id,
	}
	if err := p.readClaim(ctx, &cur); err != nil {
		return current{}, err
	}
	txts, err := p.list(ctx, p.txtName, "TXT")
	if err != nil {
		return current{}, err
	}
	if len(txts) == 0 {
		cur.raiseToClaim(p)
		return cur, nil
	}
	// Two writers making the first switch at once can each create the TXT
	// (Cloudflare has no conditional create, and we never delete). Rather
	// than wedge every later read, all readers agree on the same one: the
	// highest gen, then the oldest record. Later writes patch that one.
	best, bad := -1, -1
	var bestState state.State
	var badErr error
	for i, t := range txts {
		st, err := state.Parse(t.content)
		if err != nil {
			if bad < 0 || t.older(txts[bad]) {
				bad, badErr = i, err
			}
			continue
		}
		if best < 0 || st.Gen > bestState.Gen || st.Gen == bestState.Gen && t.older(txts[best]) {
			best, bestState = i, st
		}
	}
	if best < 0 {
		// No state can be read: nothing may act on the record but a
		// forced manual move, which overwrites this TXT.
		cur.txtID = txts[bad].id
		cur.badState = &dns.BadStateError{Name: p.txtName, ID: txts[bad].id, Err: badErr}
		cur.raiseToClaim(p)
		return cur, nil
	}
	if bad >= 0 {
		p.log.Warn("cloudflare: ignoring a state TXT that cannot be parsed beside one that can",
			slog.String("name", p.txtName), slog.String("id", txts[bad].id), slog.String("error", badErr.Error()))
	}
	if len(txts) > 1 {
		p.log.Warn("cloudflare: several state TXT records; using the highest gen",
			slog.String("name", p.txtName), slog.Int("count", len(txts)), slog.Uint64("gen", bestState.Gen),
			slog.String("id", txts[best].id))
	}
	cur.snap.State, cur.snap.HasState, cur.txtID = bestState, true, txts[best].id
	cur.raiseToClaim(p)
	return cur, nil
}

type listed struct {
	id, content string
	ttl         int
	created     time.Time
}

// older orders records by creation, then id, the same for every reader.
func (l listed) older(o listed) bool {
	if !l.created.Equal(o.created) {
		return l.created.Before(o.created)
	}
	return l.id < o.id
}

// list returns the records named exactly name of type typ. It checks name
// and type itself too: an API that ignored the filters must not make us
// switch some other record.
func (p *Provider) list(ctx context.Context, name, typ string) ([]listed, error) {
	var out []listed
	err := p.call(ctx, "list "+typ+" "+name, func() error {
		out = nil
		page, err := p.api.List(ctx, listParams(p.zoneID, name, typ))
		if err != nil {
			return err
		}
		if page == nil {
			// cloudflare-go answers a body of `null` with neither a
			// page nor an error (found by FuzzResponseDecoding).
			return errors.New("the API answered with no result")
		}
		for _, r := range page.Result {
			if strings.EqualFold(strings.TrimSuffix(r.Name, "."), name) && string(r.Type) == typ {
				out = append(out, listed{id: r.ID, content: r.Content, ttl: int(r.TTL), created: r.CreatedOn})
			}
		}
		return nil
	})
	return out, err
}
