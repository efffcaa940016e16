// Package cloudflare is the Cloudflare DNS provider: the dns.Zone that reads
// the switched record and its TXT records in one list call of the
// Cloudflare v4 API and writes a plan in one batch request, which Cloudflare
// runs as a single database transaction. The batch has no precondition, so
// the provider asks dns.Registry for generation claims (see dns.Zone); every
// other rule lives in the registry.
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
	// Group is a failover group's other records, switched with Record in
	// the same batch (see dns.Member); none for a single record.
	Group []dns.Member

	HTTPClient *http.Client // default: a client of its own
	// MaxRetries is how often a request failing with 429, 5xx or no answer
	// is retried (0: DefaultMaxRetries; negative: never).
	MaxRetries int
	// RequestTimeout bounds each attempt (0: DefaultRequestTimeout).
	RequestTimeout time.Duration
	// Backoff is the first wait between attempts when the API sends no
	// Retry-After (0: dns.DefaultBackoff); it doubles per attempt.
	Backoff time.Duration
	Log     *slog.Logger // default: discard

	sleep func(context.Context, time.Duration) error // tests: waits between attempts
}

// Provider is the dns.Provider for Cloudflare: the shared dns.Registry over
// this package's zone.
type Provider struct {
	*dns.Registry
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
	group, groupErr := dns.NormalizeGroup(o.Record, o.Type, o.Group)
	o.Group = group
	if err := errors.Join(o.validate(), groupErr); err != nil {
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
	log = log.With(slog.String("provider", "cloudflare"), slog.String("record", o.Record))
	api := cfdns.NewRecordService(
		option.WithBaseURL(o.APIURL),
		option.WithAPIToken(o.Token),
		option.WithHTTPClient(client),
		// cloudflare-go retries 10 times with up to 30s between attempts,
		// and would replay a batch blindly; the registry and Load retry.
		option.WithMaxRetries(0),
		option.WithRequestTimeout(o.RequestTimeout),
		option.WithMiddleware(checkSuccess),
	)
	retry := dns.Retry{Max: max(o.MaxRetries, 0), Base: o.Backoff, Sleep: o.sleep, Log: log}
	// One list call reads the whole group: every record whose name ends
	// in the names' common suffix (the record's own name when alone).
	suffix := dns.CommonSuffix(append([]string{o.Record}, dns.Names(o.Group)...)...)
	z := &zone{api: api, zoneID: o.ZoneID, record: suffix, retry: retry}
	return &Provider{Registry: dns.NewRegistry(z, dns.Options{
		Provider: "cloudflare", Record: o.Record, Type: o.Type, TTL: o.TTL,
		Claims: true, Group: o.Group, Retry: retry, Log: log,
	})}, nil
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
