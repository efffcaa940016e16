package route53

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
)

// zone is the dns.Zone of one record in a Route 53 hosted zone.
type zone struct {
	api            api
	zoneID         string
	record         string // fully qualified, lower case
	requestTimeout time.Duration
	syncTimeout    time.Duration
	syncPoll       time.Duration
	retry          dns.Retry
	sleep          func(context.Context, time.Duration) error
	log            *slog.Logger

	mu      sync.Mutex
	pending bool // the last applied change was still PENDING when the wait ended

	// beforeApply, when set, runs before a change batch is sent; tests use
	// it to move the record under a writer.
	beforeApply func()
}

var _ dns.Zone = (*zone)(nil)

// listPage is how many record sets Load asks for at once: the record, its
// state TXT and whatever else lives below the record's name.
const listPage = 100

// Load lists the record sets from the switched record's name on. Route 53
// orders names with their labels reversed (com, example, assets, ...), so
// the record and every name below it, its state TXT among them, come
// together, in one page unless the record has many children; Load stops at
// the first name outside that subtree.
//
// Each record's ID is its record set's values exactly as read, one per
// line: with the TTL, what an Apply's DELETE must repeat.
func (z *zone) Load(ctx context.Context) ([]dns.Record, error) {
	var out []dns.Record
	err := z.retry.Do(ctx, "list record sets from "+z.record, func() error {
		out = nil
		in := &r53.ListResourceRecordSetsInput{HostedZoneId: aws.String(z.zoneID),
			StartRecordName: aws.String(z.record), MaxItems: aws.Int32(listPage)}
		for {
			page, err := z.list(ctx, in)
			if err != nil {
				return err
			}
			for _, rs := range page.ResourceRecordSets {
				name := unescapeName(aws.ToString(rs.Name))
				if name != z.record && !strings.HasSuffix(name, "."+z.record) {
					return nil // past the record's subtree
				}
				recs, err := records(name, rs)
				if err != nil {
					return err
				}
				out = append(out, recs...)
			}
			if !page.IsTruncated {
				return nil
			}
			in.StartRecordName, in.StartRecordType, in.StartRecordIdentifier = page.NextRecordName, page.NextRecordType, page.NextRecordIdentifier
		}
	})
	return out, err
}

func (z *zone) list(ctx context.Context, in *r53.ListResourceRecordSetsInput) (*r53.ListResourceRecordSetsOutput, error) {
	ctx, cancel := context.WithTimeout(ctx, z.requestTimeout)
	defer cancel()
	out, err := z.api.ListResourceRecordSets(ctx, in)
	return out, classify(ctx, err)
}

// records turns one record set into records.
func records(name string, rs types.ResourceRecordSet) ([]dns.Record, error) {
	if rs.AliasTarget != nil || rs.SetIdentifier != nil {
		switch rs.Type {
		case types.RRTypeA, types.RRTypeAaaa, types.RRTypeCname, types.RRTypeTxt:
			return nil, fmt.Errorf("the %s record set %s is an alias or has a routing policy: switchyard switches a simple record: %w",
				rs.Type, strings.TrimSuffix(name, "."), dns.ErrPermanent)
		}
		return nil, nil
	}
	var values []string
	for _, r := range rs.ResourceRecords {
		values = append(values, aws.ToString(r.Value))
	}
	id := strings.Join(values, "\n")
	out := make([]dns.Record, 0, len(values))
	for _, v := range values {
		content := v
		if rs.Type == types.RRTypeTxt {
			content = decodeTXT(v)
		}
		out = append(out, dns.Record{ID: id, Name: strings.TrimSuffix(name, "."), Type: string(rs.Type),
			Content: content, TTL: int(aws.ToInt64(rs.TTL))})
	}
	return out, nil
}

// Apply sends p as one change batch: for each update, DELETE of the record
// set exactly as read (values and TTL) and CREATE of its successor; for
// each create, CREATE. Route 53 applies a batch as one transaction, so the
// record is replaced, never missing, and a batch whose DELETE no longer
// matches, or whose CREATE finds the set there, changes nothing
// (InvalidChangeBatch: dns.ErrConflict). Then it waits, bounded, for the
// change to be INSYNC.
func (z *zone) Apply(ctx context.Context, p dns.Plan) error {
	if len(p.Deletes) > 0 {
		return fmt.Errorf("refusing a plan that deletes %d records: Route 53 needs no generation claim: %w", len(p.Deletes), dns.ErrPermanent)
	}
	var changes []types.Change
	for _, u := range p.Updates {
		value, err := value(u.New)
		if err != nil {
			return err
		}
		old := &types.ResourceRecordSet{Name: aws.String(u.Old.Name + "."), Type: types.RRType(u.Old.Type), TTL: aws.Int64(int64(u.Old.TTL))}
		for v := range strings.SplitSeq(u.Old.ID, "\n") {
			old.ResourceRecords = append(old.ResourceRecords, types.ResourceRecord{Value: aws.String(v)})
		}
		changes = append(changes,
			types.Change{Action: types.ChangeActionDelete, ResourceRecordSet: old},
			types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: set(u.New, value)})
	}
	for _, c := range p.Creates {
		value, err := value(c)
		if err != nil {
			return err
		}
		changes = append(changes, types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: set(c, value)})
	}
	if z.beforeApply != nil {
		z.beforeApply()
	}
	cctx, cancel := context.WithTimeout(ctx, z.requestTimeout)
	defer cancel()
	out, err := z.api.ChangeResourceRecordSets(cctx, &r53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(z.zoneID),
		ChangeBatch:  &types.ChangeBatch{Changes: changes, Comment: aws.String("switchyard")},
	})
	var icb *types.InvalidChangeBatch
	if errors.As(err, &icb) {
		msgs := strings.Join(icb.Messages, "; ")
		if msgs == "" {
			msgs = aws.ToString(icb.Message)
		}
		if strings.Contains(msgs, "Tried to") {
			return fmt.Errorf("the change batch was refused (%s): %w", msgs, dns.ErrConflict)
		}
		return fmt.Errorf("the change batch was refused: %s: %w", msgs, dns.ErrPermanent)
	}
	if err := classify(cctx, err); err != nil {
		return err
	}
	if out.ChangeInfo != nil {
		z.setPending(!z.waitInSync(ctx, aws.ToString(out.ChangeInfo.Id)))
	}
	return nil
}

func set(r dns.Record, value string) *types.ResourceRecordSet {
	return &types.ResourceRecordSet{Name: aws.String(r.Name + "."), Type: types.RRType(r.Type), TTL: aws.Int64(int64(r.TTL)),
		ResourceRecords: []types.ResourceRecord{{Value: aws.String(value)}}}
}

// value is r's data as Route 53 wants it, checked against its type.
func value(r dns.Record) (string, error) {
	t := strings.TrimSpace(r.Content)
	ok := false
	switch r.Type {
	case "TXT":
		return encodeTXT(r.Content), nil
	case "CNAME":
		ok = t != "" && !strings.ContainsAny(t, " \"\\")
	case "A":
		a, err := netip.ParseAddr(t)
		ok = err == nil && a.Is4()
	case "AAAA":
		a, err := netip.ParseAddr(t)
		ok = err == nil && a.Is6() && !a.Is4In6()
	}
	if !ok {
		return "", fmt.Errorf("invalid change: %q is not a valid %s target for %s: %w", r.Content, r.Type, r.Name, dns.ErrPermanent)
	}
	return t, nil
}

// waitInSync polls GetChange until INSYNC or syncTimeout and reports
// whether INSYNC was seen. Not learning it does not fail the write: Route
// 53 accepted the change and its API already shows it.
func (z *zone) waitInSync(ctx context.Context, id string) bool {
	if z.syncTimeout < 0 {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, z.syncTimeout)
	defer cancel()
	for {
		var status types.ChangeStatus
		err := z.retry.Do(ctx, "get change "+id, func() error {
			rctx, cancel := context.WithTimeout(ctx, z.requestTimeout)
			defer cancel()
			out, err := z.api.GetChange(rctx, &r53.GetChangeInput{Id: aws.String(id)})
			if err == nil && out.ChangeInfo != nil {
				status = out.ChangeInfo.Status
			}
			return classify(rctx, err)
		})
		if err != nil {
			z.log.Warn("route53: could not learn whether the change is in sync", slog.String("change", id), slog.String("error", err.Error()))
			return false
		}
		if status == types.ChangeStatusInsync {
			return true
		}
		if z.sleep(ctx, z.syncPoll) != nil {
			z.log.Warn("route53: change still PENDING", slog.String("change", id), slog.Duration("waited", z.syncTimeout))
			return false
		}
	}
}

func (z *zone) setPending(p bool) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.pending = p
}

func (z *zone) lastPending() bool {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.pending
}

// unescapeName lower-cases a name as Route 53 lists it, turning its octal
// escapes (\052 for *) back into characters.
func unescapeName(name string) string {
	if !strings.Contains(name, `\`) {
		return strings.ToLower(name)
	}
	return strings.ToLower(decodeTXT(name))
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
