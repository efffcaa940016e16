package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	cfdns "github.com/cloudflare/cloudflare-go/v6/dns"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
)

// Write points the record at c.Target and stores c.State in one batch
// request: a patch of the record, and a patch of the state TXT (a post when
// it does not exist yet). It deletes nothing but its own previous generation
// claim (see claim.go), which makes the write a compare-and-swap. It reads
// first and gives up with
// dns.ErrStale unless the stored generation is c.State.Gen-1, and reads
// again afterwards to check that both changes are there.
//
// A batch that fails with 429, 5xx or no answer may still have been
// committed (the answer can be lost after the commit), so it is never
// replayed blindly: each retry reads again first, and finds either our
// change already there (done) or the state it expects (batch again).
func (p *Provider) Write(ctx context.Context, c dns.Change) (dns.Snapshot, error) {
	if err := p.checkChange(c); err != nil {
		return dns.Snapshot{}, fmt.Errorf("cloudflare: write %s: %w", p.record, err)
	}
	content := QuoteTXT(c.State.Format())
	for attempt := 0; ; attempt++ {
		cur, err := p.read(ctx)
		if err != nil {
			return dns.Snapshot{}, fmt.Errorf("cloudflare: write %s: read before writing: %w", p.record, err)
		}
		if cur.badState != nil && !c.OverwriteBadState {
			return dns.Snapshot{}, fmt.Errorf("cloudflare: write %s: %w", p.record, cur.badState)
		}
		if p.applied(cur.snap, c) {
			break // an earlier attempt was committed though its answer was lost
		}
		if gen := currentGen(cur.snap); gen+1 != c.State.Gen {
			return dns.Snapshot{}, fmt.Errorf("cloudflare: write %s: stored state is already at gen %d, this change was prepared from gen %d: %w",
				p.record, gen, c.State.Gen-1, dns.ErrStale)
		}
		err = classify(ctx, p.batch(ctx, cur, c.Target, content, c.State.Gen))
		if err == nil {
			break
		}
		if claimTaken(err) && attempt < p.maxRetries {
			// Someone committed a batch prepared from the same read (or
			// the claim was edited by hand). Read again: the loop finds
			// our change applied, the state moved on (ErrStale), or a
			// fresh claim to swap.
			p.logRetry("batch (claim moved)", err, attempt, 0)
			continue
		}
		wait, ok := p.retryWait(ctx, err, attempt)
		if !ok {
			return dns.Snapshot{}, fmt.Errorf("cloudflare: write %s: batch: %w", p.record, err)
		}
		p.logRetry("batch", err, attempt, wait)
		if err := p.sleep(ctx, wait); err != nil {
			return dns.Snapshot{}, fmt.Errorf("cloudflare: write %s: %w", p.record, err)
		}
	}
	return p.verify(ctx, c)
}

// checkChange refuses a change that cannot be written correctly.
func (p *Provider) checkChange(c dns.Change) error {
	var errs []error
	if strings.TrimSpace(c.Target) == "" {
		errs = append(errs, errors.New("target is empty"))
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

// batch sends the one request that changes the record and the TXT together.
// It also swaps the generation claim (see claim.go): it deletes the claim it
// read and posts the claim of generation gen, so that no other batch
// prepared from the same read can ever commit.
func (p *Provider) batch(ctx context.Context, cur current, target, content string, gen uint64) error {
	var b cfdns.RecordBatchParams
	set(&b.ZoneID, p.zoneID)
	patches := []cfdns.BatchPatchUnionParam{patchTarget(p.typ, cur.targetID, target, p.ttl)}
	posts := []cfdns.RecordBatchParamsPostUnion{postClaim(p.record, gen, p.ttl)}
	if cur.txtID != "" {
		patches = append(patches, patchTXT(cur.txtID, content, p.ttl))
	} else {
		posts = append(posts, postTXT(p.txtName, content, p.ttl))
	}
	if cur.claimID != "" {
		set(&b.Deletes, []cfdns.RecordBatchParamsDelete{deleteClaim(cur.claimID)})
	}
	set(&b.Patches, patches)
	set(&b.Posts, posts)
	_, err := p.api.Batch(ctx, b)
	return err
}

// verify reads the record back and checks that the write is there.
func (p *Provider) verify(ctx context.Context, c dns.Change) (dns.Snapshot, error) {
	back, err := p.read(ctx)
	if err != nil {
		return dns.Snapshot{}, fmt.Errorf("cloudflare: write %s: read back: %w", p.record, err)
	}
	if !p.applied(back.snap, c) {
		err := fmt.Errorf("cloudflare: write %s: read back %s at gen %d by %s, want %s at gen %d by %s",
			p.record, back.snap.Content, currentGen(back.snap), back.snap.State.By, c.Target, c.State.Gen, c.State.By)
		if currentGen(back.snap) >= c.State.Gen {
			// Another writer got in between our batch and our read.
			return dns.Snapshot{}, fmt.Errorf("%w: %w", err, dns.ErrStale)
		}
		return dns.Snapshot{}, err
	}
	p.log.Info("cloudflare: record switched", slog.String("target", back.snap.Content),
		slog.Uint64("gen", back.snap.State.Gen), slog.String("active", string(back.snap.State.Active)))
	return back.snap, nil
}

// applied reports whether s already holds change c.
func (p *Provider) applied(s dns.Snapshot, c dns.Change) bool {
	return s.Holds(c)
}

// currentGen is the generation a write must follow. Without a readable
// state TXT it is 0, or the claim's generation when a claim exists (see
// raiseToClaim).
func currentGen(s dns.Snapshot) uint64 { return s.State.Gen }

// QuoteTXT writes s as one quoted DNS character-string, the form Cloudflare
// documents for TXT content; state.Parse reads it back.
func QuoteTXT(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
