package route53

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
)

// Write points the record at c.Target and stores c.State in one change
// batch (see batch). It reads first and gives up with dns.ErrStale unless
// the stored generation is c.State.Gen-1, reads back afterwards, then
// waits (bounded) for Route 53 to report the change INSYNC; a change
// still PENDING then is returned with Snapshot.Pending set.
//
// A batch that got no answer, or was throttled, may or may not have been
// applied; each retry reads again first and finds our change (done), the
// state it expects (batch again) or another writer's (ErrStale).
func (p *Provider) Write(ctx context.Context, c dns.Change) (dns.Snapshot, error) {
	if err := p.checkChange(c); err != nil {
		return dns.Snapshot{}, fmt.Errorf("route53: write %s: %w", p.name, err)
	}
	var changeID string
	for attempt := 0; ; attempt++ {
		cur, err := p.read(ctx)
		if err != nil {
			return dns.Snapshot{}, fmt.Errorf("route53: write %s: read before writing: %w", p.name, err)
		}
		if cur.badState != nil && !c.OverwriteBadState {
			return dns.Snapshot{}, fmt.Errorf("route53: write %s: %w", p.name, cur.badState)
		}
		if cur.snap.Holds(c) {
			break // an earlier attempt was applied though its answer was lost
		}
		if gen := cur.snap.State.Gen; gen+1 != c.State.Gen {
			return dns.Snapshot{}, fmt.Errorf("route53: write %s: stored state is already at gen %d, this change was prepared from gen %d: %w",
				p.name, gen, c.State.Gen-1, dns.ErrStale)
		}
		if p.beforeChange != nil {
			p.beforeChange()
		}
		changeID, err = p.batch(ctx, cur, c)
		if err == nil {
			break
		}
		var icb *types.InvalidChangeBatch
		if errors.As(err, &icb) {
			// Our DELETE did not match or our CREATE collided: the sets
			// changed since the read. Nothing of the batch was applied.
			return dns.Snapshot{}, fmt.Errorf("route53: write %s: Route 53 refused the change batch (%s): the record or its state TXT changed since it was read: %w",
				p.name, strings.Join(icb.Messages, "; "), dns.ErrStale)
		}
		if !p.wait(ctx, "change", err, attempt) {
			return dns.Snapshot{}, fmt.Errorf("route53: write %s: change: %w", p.name, classify(err))
		}
	}
	back, err := p.read(ctx)
	if err != nil {
		return dns.Snapshot{}, fmt.Errorf("route53: write %s: read back: %w", p.name, err)
	}
	if !back.snap.Holds(c) {
		err := fmt.Errorf("route53: write %s: read back %s at gen %d by %s, want %s at gen %d by %s",
			p.name, back.snap.Content, back.snap.State.Gen, back.snap.State.By, c.Target, c.State.Gen, c.State.By)
		if back.snap.State.Gen >= c.State.Gen {
			return dns.Snapshot{}, fmt.Errorf("%w: %w", err, dns.ErrStale)
		}
		return dns.Snapshot{}, err
	}
	if changeID != "" {
		back.snap.Pending = !p.waitInSync(ctx, changeID)
	}
	p.log.Info("route53: record switched", slog.String("target", back.snap.Content),
		slog.Uint64("gen", back.snap.State.Gen), slog.Bool("pending", back.snap.Pending))
	return back.snap, nil
}

// batch sends the one change batch that switches the record and the TXT:
// DELETE of each set exactly as read, CREATE of its successor (just CREATE
// for a TXT that does not exist yet). Route 53 applies a batch as one
// transaction, so the record is replaced, never missing, and a batch whose
// DELETE no longer matches changes nothing (InvalidChangeBatch).
func (p *Provider) batch(ctx context.Context, cur current, c dns.Change) (string, error) {
	changes := []types.Change{
		{Action: types.ChangeActionDelete, ResourceRecordSet: &cur.target},
		{Action: types.ChangeActionCreate, ResourceRecordSet: p.set(p.record, p.typ, strings.TrimSpace(c.Target))},
	}
	if cur.txt != nil {
		changes = append(changes, types.Change{Action: types.ChangeActionDelete, ResourceRecordSet: cur.txt})
	}
	changes = append(changes, types.Change{Action: types.ChangeActionCreate,
		ResourceRecordSet: p.set(p.txtName, types.RRTypeTxt, encodeTXT(c.State.Format()))})
	var id string
	ctx, cancel := context.WithTimeout(ctx, p.requestTimeout)
	defer cancel()
	out, err := p.api.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(p.zoneID),
		ChangeBatch: &types.ChangeBatch{
			Changes: changes,
			Comment: aws.String(fmt.Sprintf("switchyard: %s gen %d by %s", c.State.Active, c.State.Gen, c.State.By)),
		},
	})
	if err == nil && out.ChangeInfo != nil {
		id = aws.ToString(out.ChangeInfo.Id)
	}
	return id, err
}

func (p *Provider) set(name string, typ types.RRType, value string) *types.ResourceRecordSet {
	return &types.ResourceRecordSet{Name: aws.String(name), Type: typ, TTL: aws.Int64(p.ttl),
		ResourceRecords: []types.ResourceRecord{{Value: aws.String(value)}}}
}

// waitInSync polls GetChange until INSYNC or syncTimeout, and reports
// whether INSYNC was seen. Failing to learn it is not a failed write: the
// change was accepted and the API shows it.
func (p *Provider) waitInSync(ctx context.Context, id string) bool {
	if p.syncTimeout < 0 {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, p.syncTimeout)
	defer cancel()
	for {
		var status types.ChangeStatus
		err := p.retry(ctx, "get change "+id, func(ctx context.Context) error {
			out, err := p.api.GetChange(ctx, &r53.GetChangeInput{Id: aws.String(id)})
			if err == nil && out.ChangeInfo != nil {
				status = out.ChangeInfo.Status
			}
			return err
		})
		if err != nil {
			p.log.Warn("route53: could not learn whether the change is in sync", slog.String("change", id), slog.String("error", err.Error()))
			return false
		}
		if status == types.ChangeStatusInsync {
			return true
		}
		if p.sleep(ctx, p.syncPoll) != nil {
			p.log.Warn("route53: change still PENDING", slog.String("change", id), slog.Duration("waited", p.syncTimeout))
			return false
		}
	}
}

// checkChange refuses a change that cannot be written correctly.
func (p *Provider) checkChange(c dns.Change) error {
	var errs []error
	t := strings.TrimSpace(c.Target)
	switch p.typ {
	case types.RRTypeCname:
		if t == "" || strings.ContainsAny(t, " \"\\") {
			errs = append(errs, fmt.Errorf("target %q is not a host name", c.Target))
		}
	case types.RRTypeA:
		if a, err := netip.ParseAddr(t); err != nil || !a.Is4() {
			errs = append(errs, fmt.Errorf("target %q is not an IPv4 address", c.Target))
		}
	case types.RRTypeAaaa:
		if a, err := netip.ParseAddr(t); err != nil || !a.Is6() || a.Is4In6() {
			errs = append(errs, fmt.Errorf("target %q is not an IPv6 address", c.Target))
		}
	}
	if c.State.Gen == 0 {
		errs = append(errs, errors.New("state gen is 0: expected the stored gen plus one (1 for the first switch)"))
	}
	if err := c.State.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid change: %w: %w", err, dns.ErrPermanent)
	}
	return nil
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
