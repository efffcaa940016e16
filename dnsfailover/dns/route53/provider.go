// Package route53 is the Amazon Route 53 DNS provider. It reads the
// switched record and its `_switchyard.<record>` state TXT with
// ListResourceRecordSets, and switches both with one
// ChangeResourceRecordSets batch: DELETE of each record set exactly as read
// plus CREATE of its successor. Route 53 refuses a DELETE that does not
// match the current record set (values and TTL) and a CREATE of a set that
// exists, and applies a batch all or nothing, so the batch is a
// compare-and-swap with no claim record. It then waits, bounded, for
// GetChange to report INSYNC (the change is on every Route 53 name server).
//
// Route 53's control plane, which accepts changes, runs in us-east-1; its
// name servers answer from everywhere. See dnsfailover/dns/README.md.
package route53

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
)

// Defaults of Options.
const (
	DefaultTTL            = 60
	DefaultMaxRetries     = 4
	DefaultRequestTimeout = 10 * time.Second
	DefaultSyncTimeout    = 60 * time.Second
	DefaultSyncPoll       = 2 * time.Second
)

// controlPlaneRegion is where Route 53 accepts changes and where requests
// are signed, whatever region the caller runs in.
const controlPlaneRegion = "us-east-1"

// Options configure a Provider.
type Options struct {
	HostedZoneID string // e.g. Z0123456789ABCDEFGHIJ (a /hostedzone/ prefix is accepted)
	Record       string // the switched record, e.g. assets.example.com
	Type         string // CNAME, A or AAAA
	TTL          int    // written on the record and the TXT; 0 means DefaultTTL
	// Group is a failover group's other records, switched with Record in
	// the same change batch (see dns.Member); none for a single record.
	Group []dns.Member

	// Endpoint overrides Route 53's API URL (the local world's service);
	// empty: AWS's.
	Endpoint string
	// Credentials signs requests; nil: the default AWS chain (environment,
	// shared files, the Lambda role).
	Credentials aws.CredentialsProvider
	HTTPClient  *http.Client // default: the SDK's

	MaxRetries     int           // retries of Throttling, PriorRequestNotComplete, 5xx or no answer (0: DefaultMaxRetries; negative: never)
	RequestTimeout time.Duration // bounds each request (0: DefaultRequestTimeout)
	// SyncTimeout bounds the wait for INSYNC after a change (0:
	// DefaultSyncTimeout; negative: do not wait). A change still PENDING
	// then is reported, not failed: Route 53 has accepted it and the API
	// already shows it.
	SyncTimeout time.Duration
	SyncPoll    time.Duration // between GetChange calls (0: DefaultSyncPoll)
	// Backoff is the first wait between attempts (0: dns.DefaultBackoff);
	// it doubles per attempt.
	Backoff time.Duration
	Log     *slog.Logger // default: discard

	sleep func(context.Context, time.Duration) error // tests: waits between attempts and polls
}

// api is the subset of Route 53 that switchyard uses; *r53.Client
// implements it.
type api interface {
	ListResourceRecordSets(ctx context.Context, in *r53.ListResourceRecordSetsInput, opts ...func(*r53.Options)) (*r53.ListResourceRecordSetsOutput, error)
	ChangeResourceRecordSets(ctx context.Context, in *r53.ChangeResourceRecordSetsInput, opts ...func(*r53.Options)) (*r53.ChangeResourceRecordSetsOutput, error)
	GetChange(ctx context.Context, in *r53.GetChangeInput, opts ...func(*r53.Options)) (*r53.GetChangeOutput, error)
}

var _ api = (*r53.Client)(nil)

// Provider is the dns.Provider for Route 53: the shared dns.Registry over
// this package's zone.
type Provider struct {
	*dns.Registry
	zone *zone
}

var _ dns.Provider = (*Provider)(nil)

// New checks o, reporting every problem at once, and returns a Provider.
// It makes no request.
func New(o Options) (*Provider, error) {
	if o.TTL == 0 {
		o.TTL = DefaultTTL
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.SyncTimeout == 0 {
		o.SyncTimeout = DefaultSyncTimeout
	}
	if o.SyncPoll <= 0 {
		o.SyncPoll = DefaultSyncPoll
	}
	o.HostedZoneID = strings.TrimPrefix(strings.TrimSpace(o.HostedZoneID), "/hostedzone/")
	o.Record = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(o.Record), "."))
	o.Type = strings.ToUpper(strings.TrimSpace(o.Type))
	group, groupErr := dns.NormalizeGroup(o.Record, o.Type, o.Group)
	o.Group = group
	if err := errors.Join(o.validate(), groupErr); err != nil {
		return nil, fmt.Errorf("route53: %w", err)
	}
	cfg := aws.Config{Region: controlPlaneRegion, Credentials: o.Credentials}
	if o.Credentials == nil {
		var err error
		cfg, err = awsconfig.LoadDefaultConfig(context.Background(), awsconfig.WithRegion(controlPlaneRegion))
		if err != nil {
			return nil, fmt.Errorf("route53: AWS configuration: %w", err)
		}
	}
	if o.HTTPClient != nil {
		cfg.HTTPClient = o.HTTPClient
	}
	// The SDK would replay a change batch on its own; Write retries
	// itself, reading first (see Write).
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	client := r53.NewFromConfig(cfg, func(ro *r53.Options) {
		if o.Endpoint != "" {
			ro.BaseEndpoint = aws.String(o.Endpoint)
		}
	})
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sleep := o.sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	retry := dns.Retry{Max: max(o.MaxRetries, 0), Base: o.Backoff, Sleep: sleep, Log: log}
	z := &zone{
		api:            client,
		zoneID:         o.HostedZoneID,
		record:         o.Record + ".",
		names:          listRange(o.Record, o.Group),
		requestTimeout: o.RequestTimeout,
		syncTimeout:    o.SyncTimeout,
		syncPoll:       o.SyncPoll,
		retry:          retry,
		sleep:          sleep,
		log:            log.With(slog.String("record", o.Record)),
	}
	return &Provider{zone: z, Registry: dns.NewRegistry(z, dns.Options{
		Provider: "route53", Record: o.Record, Type: o.Type, TTL: o.TTL, Group: o.Group, Retry: retry, Log: log,
	})}, nil
}

// Write is the Registry's, and says in the snapshot whether Route 53 still
// reported the change PENDING when the wait for INSYNC ended.
func (p *Provider) Write(ctx context.Context, c dns.Change) (dns.Snapshot, error) {
	p.zone.setPending(false)
	s, err := p.Registry.Write(ctx, c)
	if err == nil {
		s.Pending = p.zone.lastPending()
	}
	return s, err
}

func (o Options) validate() error {
	var errs []error
	if o.HostedZoneID == "" || strings.ContainsAny(o.HostedZoneID, "/ ?#") {
		errs = append(errs, fmt.Errorf("option HostedZoneID %q: expected a hosted zone id such as Z0123456789ABCDEFGHIJ", o.HostedZoneID))
	}
	if o.Record == "" || strings.ContainsAny(o.Record, " /\"\\") {
		errs = append(errs, fmt.Errorf("option Record %q: expected a DNS name such as assets.example.com", o.Record))
	}
	if o.Type != "CNAME" && o.Type != "A" && o.Type != "AAAA" {
		errs = append(errs, fmt.Errorf("option Type %q: expected CNAME, A or AAAA", o.Type))
	}
	if o.TTL < 0 || o.TTL > 2147483647 {
		errs = append(errs, fmt.Errorf("option TTL %d: expected 0..2147483647 seconds", o.TTL))
	}
	if o.Endpoint != "" {
		if u, err := url.Parse(o.Endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, errors.New("option Endpoint: expected an http(s) URL such as https://route53.amazonaws.com"))
		}
	}
	if o.RequestTimeout < 0 {
		errs = append(errs, fmt.Errorf("option RequestTimeout %s: expected a positive duration", o.RequestTimeout))
	}
	return errors.Join(errs...)
}
