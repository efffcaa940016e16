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
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
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
	Log         *slog.Logger  // default: discard
}

// api is the subset of Route 53 that switchyard uses; *r53.Client
// implements it.
type api interface {
	ListResourceRecordSets(ctx context.Context, in *r53.ListResourceRecordSetsInput, opts ...func(*r53.Options)) (*r53.ListResourceRecordSetsOutput, error)
	ChangeResourceRecordSets(ctx context.Context, in *r53.ChangeResourceRecordSetsInput, opts ...func(*r53.Options)) (*r53.ChangeResourceRecordSetsOutput, error)
	GetChange(ctx context.Context, in *r53.GetChangeInput, opts ...func(*r53.Options)) (*r53.GetChangeOutput, error)
}

var _ api = (*r53.Client)(nil)

// Provider implements dns.Provider for Route 53.
type Provider struct {
	api            api
	zoneID         string
	record         string // fully qualified, lower case, as Route 53 returns names
	txtName        string
	name           string // without the final dot, as snapshots show it
	typ            types.RRType
	ttl            int64
	maxRetries     int
	requestTimeout time.Duration
	syncTimeout    time.Duration
	syncPoll       time.Duration
	log            *slog.Logger

	backoff time.Duration
	sleep   func(ctx context.Context, d time.Duration) error
	// beforeChange, when set, runs between the read and the change batch
	// of a write; tests use it to move the record under a writer.
	beforeChange func()
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
	if err := o.validate(); err != nil {
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
	return &Provider{
		api:            client,
		zoneID:         o.HostedZoneID,
		record:         o.Record + ".",
		txtName:        state.RecordName(o.Record) + ".",
		name:           o.Record,
		typ:            types.RRType(o.Type),
		ttl:            int64(o.TTL),
		maxRetries:     max(o.MaxRetries, 0),
		requestTimeout: o.RequestTimeout,
		syncTimeout:    o.SyncTimeout,
		syncPoll:       o.SyncPoll,
		log:            log.With(slog.String("record", o.Record)),
		backoff:        baseBackoff,
		sleep:          sleepCtx,
	}, nil
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

// current is what a read found: the snapshot and both record sets exactly
// as Route 53 holds them, which a write's DELETEs repeat.
type current struct {
	snap     dns.Snapshot
	target   types.ResourceRecordSet
	txt      *types.ResourceRecordSet // nil when the state TXT does not exist
	badState *dns.BadStateError
}

// Read returns the record and its state from the API.
func (p *Provider) Read(ctx context.Context) (dns.Snapshot, error) {
	cur, err := p.read(ctx)
	if err != nil {
		return dns.Snapshot{}, fmt.Errorf("route53: read %s: %w", p.name, err)
	}
	if cur.badState != nil {
		return cur.snap, fmt.Errorf("route53: read %s: %w", p.name, cur.badState)
	}
	return cur.snap, nil
}

func (p *Provider) read(ctx context.Context) (current, error) {
	target, err := p.list(ctx, p.record, p.typ)
	if err != nil {
		return current{}, err
	}
	if target == nil {
		return current{}, fmt.Errorf("no %s record named %s in hosted zone %s: %w", p.typ, p.name, p.zoneID, dns.ErrPermanent)
	}
	if target.AliasTarget != nil || len(target.ResourceRecords) != 1 || target.SetIdentifier != nil {
		return current{}, fmt.Errorf("the %s record set %s is not one plain record (alias, routing policy or %d values): switchyard switches a simple record: %w",
			p.typ, p.name, len(target.ResourceRecords), dns.ErrPermanent)
	}
	cur := current{target: *target, snap: dns.Snapshot{Name: p.name, Type: string(p.typ),
		Content: strings.TrimSuffix(aws.ToString(target.ResourceRecords[0].Value), "."), TTL: int(aws.ToInt64(target.TTL))}}
	txt, err := p.list(ctx, p.txtName, types.RRTypeTxt)
	if err != nil {
		return current{}, err
	}
	if txt == nil {
		return cur, nil
	}
	cur.txt = txt
	// One record set may hold several TXT values only if made by hand:
	// the highest generation is current; a write replaces them all.
	var badErr error
	for _, rr := range txt.ResourceRecords {
		st, err := state.Parse(decodeTXT(aws.ToString(rr.Value)))
		if err != nil {
			badErr = err
			continue
		}
		if !cur.snap.HasState || st.Gen > cur.snap.State.Gen {
			cur.snap.State, cur.snap.HasState = st, true
		}
	}
	if !cur.snap.HasState && badErr != nil {
		cur.badState = &dns.BadStateError{Name: strings.TrimSuffix(p.txtName, "."), ID: "TXT", Err: badErr}
	}
	return cur, nil
}

// list returns the record set name/typ, or nil when there is none. Route
// 53 lists from the given name and type on; the first set is ours only if
// it has exactly that name and type.
func (p *Provider) list(ctx context.Context, name string, typ types.RRType) (*types.ResourceRecordSet, error) {
	var found *types.ResourceRecordSet
	err := p.retry(ctx, "list "+string(typ)+" "+strings.TrimSuffix(name, "."), func(ctx context.Context) error {
		out, err := p.api.ListResourceRecordSets(ctx, &r53.ListResourceRecordSetsInput{
			HostedZoneId: aws.String(p.zoneID), StartRecordName: aws.String(name), StartRecordType: typ, MaxItems: aws.Int32(1),
		})
		if err != nil {
			return err
		}
		found = nil
		for _, rs := range out.ResourceRecordSets {
			if strings.EqualFold(aws.ToString(rs.Name), name) && rs.Type == typ {
				found = &rs
			}
		}
		return nil
	})
	return found, err
}
