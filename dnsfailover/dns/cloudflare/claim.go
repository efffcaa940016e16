package cloudflare

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"

	cfdns "github.com/cloudflare/cloudflare-go/v6/dns"
)

// A generation claim turns each write into a compare-and-swap.
//
// Cloudflare's batch has no precondition: two writers that both read gen N
// both pass the check in Write and both batches commit, the later one over
// the earlier. With the same target that only muddles who switched; but a
// writer whose batch the API holds (or queues) long enough commits over
// newer generations: a failback checked at gen 1 landing after a failover
// at gen 3 moves traffic back to a primary that is down again.
//
// What Cloudflare does guarantee is that a batch runs as one transaction:
// if any of its operations fails, none applies. So beside the state TXT
// lives one claim record, the TXT `_switchyard-claim.<record>` "gen=<N>",
// and every switch batch deletes the claim (by the id it read) and posts the
// claim of generation N+1. Of all the batches prepared from the same read,
// the first to commit deletes that id; every other one, however late, fails
// whole on its delete (81044, record does not exist). Before the first
// switch there is no claim; two first batches both post "gen=1" and the
// second is refused as an identical record (81057/81058).
//
// This claim is the only record switchyard ever deletes, in the same
// transaction that creates its successor, so exactly one exists at a time.
// If the state TXT is set back by hand below its claim, readers take the
// claim's generation as current, so writers carry on from there.
const claimPrefix = "_switchyard-claim."

// claimComment marks claim records for whoever looks at the zone.
const claimComment = "switchyard generation claim: swapped with every switch to make it a compare-and-swap; do not edit"

// ClaimName is the name of record's generation claim.
func ClaimName(record string) string { return claimPrefix + record }

// ClaimContent is the content of the claim for generation gen.
func ClaimContent(gen uint64) string { return `"gen=` + strconv.FormatUint(gen, 10) + `"` }

// claimGen parses a claim's content; ok is false for anything else.
func claimGen(content string) (uint64, bool) {
	v, ok := strings.CutPrefix(strings.Trim(content, `"`), "gen=")
	if !ok {
		return 0, false
	}
	gen, err := strconv.ParseUint(v, 10, 64)
	return gen, err == nil
}

// readClaim finds the current claim. Several can exist only if someone
// copied one by hand (or an older switchyard left them): the highest
// generation is current, and the only one a write swaps.
func (p *Provider) readClaim(ctx context.Context, cur *current) error {
	claims, err := p.list(ctx, ClaimName(p.record), "TXT")
	if err != nil {
		return err
	}
	var best uint64
	for _, c := range claims {
		if gen, ok := claimGen(c.content); ok && (cur.claimID == "" || gen > best) {
			best, cur.claimID = gen, c.id
		}
	}
	cur.claimGen = best
	return nil
}

// raiseToClaim makes the claim's generation current when the state TXT is
// behind it (set back or deleted by hand), so that the next write swaps
// the claim instead of colliding with it forever.
func (cur *current) raiseToClaim(p *Provider) {
	if cur.claimID == "" || currentGen(cur.snap) >= cur.claimGen {
		return
	}
	p.log.Warn("cloudflare: state TXT is behind its generation claim; carrying on from the claim",
		slog.String("record", p.record), slog.Uint64("state_gen", currentGen(cur.snap)), slog.Uint64("claim_gen", cur.claimGen))
	cur.snap.State.Gen = cur.claimGen
	if !cur.snap.HasState {
		cur.snap.State.Active = ""
	}
}

func deleteClaim(id string) cfdns.RecordBatchParamsDelete {
	var d cfdns.RecordBatchParamsDelete
	set(&d.ID, id)
	return d
}

func postClaim(record string, gen uint64, ttl int) cfdns.RecordBatchParamsPostUnion {
	var p cfdns.TXTRecordParam
	set(&p.Name, ClaimName(record))
	set(&p.Type, cfdns.TXTRecordTypeTXT)
	set(&p.Content, ClaimContent(gen))
	set(&p.TTL, cfdns.TTL(ttl))
	set(&p.Comment, claimComment)
	return p
}

// Cloudflare's codes for a record that already exists, and for one that
// does not (any more).
const (
	codeRecordExists    = 81057
	codeIdenticalRecord = 81058
	codeNoSuchRecord    = 81044
)

// claimTaken reports whether err is the API refusing a batch because the
// claim it swaps is gone, or the claim it posts exists already: another
// writer (or an earlier attempt of ours whose answer was lost) committed
// a batch prepared from the same read.
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
