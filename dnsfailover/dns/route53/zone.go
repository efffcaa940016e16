package route53

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
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
	names          nameRange
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
// state TXT and whatever else lives below the record's name. A group's
// read asks for Route 53's most, 300, since it spans every name between
// the group's first and last.
const (
	listPage      = 100
	groupListPage = 300
)

// Load lists the record sets from the switched record's name on. Route 53
// orders names with their labels reversed (com, example, assets, ...), so
// the record and every name below it, its state TXT among them, come
// together, in one page unless the record has many children; Load stops at
// the first name outside that subtree. A failover group's records are read
// the same way, in one listing from the group's first name in that order
// to the end of its last name's subtree: one call unless more than 300
// record sets lie between them (each further page is one more call).
//
// Each record's ID is its record set's values exactly as read, one per
// line: with the TTL, what an Apply's DELETE must repeat.
func (z *zone) Load(ctx context.Context) ([]dns.Record, error) {
	var out []dns.Record
	err := z.retry.Do(ctx, "list record sets from "+z.names.first, func() error {
		out = nil
		in := &r53.ListResourceRecordSetsInput{HostedZoneId: aws.String(z.zoneID),
			StartRecordName: aws.String(z.names.first), MaxItems: aws.Int32(z.names.page)}
		for {
			page, err := z.list(ctx, in)
			if err != nil {
				return err
			}
			for _, rs := range page.ResourceRecordSets {
				name := unescapeName(aws.ToString(rs.Name))
				if z.names.past(name) {
					return nil // past the last subtree
				}
				if !z.names.within(name) {
					continue // between two of the group's names
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

// nameRange is what Load lists: the subtrees of a group's names (one name
// for a single record), in Route 53's order.
type nameRange struct {
	first string   // fully qualified: where the listing starts
	last  []string // the last name's labels, reversed
	roots []string // every name, fully qualified, lower case
	page  int32
}

// listRange is the range of record and its group's members.
func listRange(record string, group []dns.Member) nameRange {
	r := nameRange{first: record + ".", last: reversed(record + "."), roots: []string{record + "."}, page: listPage}
	for _, m := range group {
		n := m.Name + "."
		r.roots = append(r.roots, n)
		if compareLabels(reversed(n), reversed(r.first)) < 0 {
			r.first = n
		}
		if compareLabels(reversed(n), r.last) > 0 {
			r.last = reversed(n)
		}
		r.page = groupListPage
	}
	return r
}

// within reports whether name (fully qualified, lower case) is one of the
// roots or below one.
func (r nameRange) within(name string) bool {
	for _, root := range r.roots {
		if name == root || strings.HasSuffix(name, "."+root) {
			return true
		}
	}
	return false
}

// past reports whether name comes after the last root's subtree in
// Route 53's order.
func (r nameRange) past(name string) bool {
	labels := reversed(name)
	if len(labels) >= len(r.last) && compareLabels(labels[:len(r.last)], r.last) == 0 {
		return false // in the last root's subtree
	}
	return compareLabels(labels, r.last) > 0
}

// reversed is a name's labels, last first: Route 53's sort key.
func reversed(name string) []string {
	labels := strings.Split(strings.TrimSuffix(name, "."), ".")
	slices.Reverse(labels)
	return labels
}

// compareLabels orders reversed names label by label, as Route 53 lists
// them.
func compareLabels(a, b []string) int {
	return slices.Compare(a, b)
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
