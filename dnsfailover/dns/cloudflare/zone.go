package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"strings"

	cfdns "github.com/cloudflare/cloudflare-go/v6/dns"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
)

// zone is the dns.Zone of one record on Cloudflare.
type zone struct {
	api    recordsAPI
	zoneID string
	record string // the names Load lists end in: the record's, or a group's common suffix
	retry  dns.Retry
}

var _ dns.Zone = (*zone)(nil)

// Load lists, in one call, every record whose name ends in the switched
// record's (see listParams), retrying 429, 5xx and no answer.
func (z *zone) Load(ctx context.Context) ([]dns.Record, error) {
	var out []dns.Record
	err := z.retry.Do(ctx, "list records named *"+z.record, func() error {
		out = nil
		page, err := z.api.List(ctx, listParams(z.zoneID, z.record))
		if err := classify(ctx, err); err != nil {
			return err
		}
		if page == nil {
			// cloudflare-go answers a body of `null` with neither a
			// page nor an error (found by FuzzResponseDecoding).
			return errors.New("the API answered with no result")
		}
		if len(page.Result) >= perPage {
			return fmt.Errorf("%d or more records have names ending in %s; switchyard reads them in one page of %d to see one consistent snapshot: %w",
				len(page.Result), z.record, perPage, dns.ErrPermanent)
		}
		for _, r := range page.Result {
			out = append(out, dns.Record{ID: r.ID, Name: strings.ToLower(strings.TrimSuffix(r.Name, ".")), Type: string(r.Type),
				Content: r.Content, TTL: int(r.TTL), Created: r.CreatedOn, Proxied: r.Proxied})
		}
		return nil
	})
	return out, err
}

// Apply sends p as one batch (deletes, then patches, then posts, in one
// transaction), or a plan that only creates one record as one create.
// Cloudflare checks nothing of what p was read from; the claim the
// registry swaps in every plan makes it a compare-and-swap.
func (z *zone) Apply(ctx context.Context, p dns.Plan) error {
	for _, d := range p.Deletes {
		// Defence in depth: switchyard deletes nothing but its claims.
		if !strings.HasPrefix(d.Name, dns.ClaimName("")) {
			return fmt.Errorf("refusing to delete %s %s: only generation claims are ever deleted: %w", d.Type, d.Name, dns.ErrPermanent)
		}
	}
	for _, c := range append(p.Creates, updated(p)...) {
		if c.Type == "TXT" {
			continue
		}
		if c.ID == "" {
			return fmt.Errorf("cannot create a %s record (%s): switchyard only creates TXT records: %w", c.Type, c.Name, dns.ErrPermanent)
		}
	}
	var err error
	if len(p.Creates) == 1 && len(p.Updates) == 0 && len(p.Deletes) == 0 {
		c := p.Creates[0]
		var params cfdns.RecordNewParams
		set(&params.ZoneID, z.zoneID)
		params.Body = txtParam(c.Name, c.Content, c.TTL, c.Comment)
		_, err = z.api.New(ctx, params)
	} else {
		_, err = z.api.Batch(ctx, z.batch(p))
	}
	err = classify(ctx, err)
	if claimTaken(err) {
		return fmt.Errorf("%w: %w", err, dns.ErrConflict)
	}
	return err
}

func updated(p dns.Plan) []dns.Record {
	var out []dns.Record
	for _, u := range p.Updates {
		out = append(out, u.New)
	}
	return out
}

func (z *zone) batch(p dns.Plan) cfdns.RecordBatchParams {
	var b cfdns.RecordBatchParams
	set(&b.ZoneID, z.zoneID)
	var deletes []cfdns.RecordBatchParamsDelete
	for _, d := range p.Deletes {
		deletes = append(deletes, deleteRecord(d.ID))
	}
	var patches []cfdns.BatchPatchUnionParam
	for _, u := range p.Updates {
		n := u.New
		if n.Type == "TXT" {
			patches = append(patches, patchTXT(n.ID, QuoteTXT(n.Content), n.TTL))
		} else {
			patches = append(patches, patchTarget(n.Type, n.ID, n.Content, n.TTL))
		}
	}
	var posts []cfdns.RecordBatchParamsPostUnion
	for _, c := range p.Creates {
		posts = append(posts, postTXT(c.Name, c.Content, c.TTL, c.Comment))
	}
	if len(deletes) > 0 {
		set(&b.Deletes, deletes)
	}
	if len(patches) > 0 {
		set(&b.Patches, patches)
	}
	if len(posts) > 0 {
		set(&b.Posts, posts)
	}
	return b
}

// Cloudflare's codes for a record that already exists, and for one that
// does not (any more).
const (
	codeRecordExists    = 81057
	codeIdenticalRecord = 81058
	codeNoSuchRecord    = 81044
)

// claimTaken reports whether err is the API refusing a write because the
// claim it swaps is gone, or the claim it creates exists already: another
// writer (or an earlier attempt of ours whose answer was lost) committed a
// write prepared from the same read.
func claimTaken(err error) bool {
	var ae *apiError
	if !errors.As(err, &ae) {
		return false
	}
	for _, d := range ae.Errors {
		if d.Code == codeRecordExists || d.Code == codeIdenticalRecord || d.Code == codeNoSuchRecord {
			return true
		}
	}
	return false
}
