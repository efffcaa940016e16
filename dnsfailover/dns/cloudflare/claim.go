package cloudflare

import (
	"errors"
	"strconv"

	cfdns "github.com/cloudflare/cloudflare-go/v6/dns"
)

// A generation claim makes each generation writable once.
//
// Cloudflare's batch has no precondition: two writers that both read gen N
// both pass the check in Write and both batches commit, the later one over
// the earlier. With the same target that only muddles who switched; but a
// writer whose batch the API holds (or queues) long enough commits over
// newer generations: a failback checked at gen 1 landing after a failover
// at gen 3 moves traffic back to a primary that is down again.
//
// What Cloudflare does refuse is an identical record: posting a record
// whose name, type and content already exist fails with 81057/81058, and a
// batch runs as one transaction, so the whole batch is refused. Each batch
// therefore also posts the TXT `_switchyard-claim.<record>` "gen=<N+1>".
// The first batch of generation N+1 creates it; every other batch of
// generation N+1, however late, fails whole. A stale batch (checked at gen
// N) that arrives after gen N+2 finds gen N+1 claimed too.
//
// Cost: one small TXT per switch, never deleted by switchyard (it never
// deletes). An operator may delete claims below the current generation.
const claimPrefix = "_switchyard-claim."

// claimComment marks claim records for whoever looks at the zone.
const claimComment = "switchyard generation claim: makes each generation writable once; claims below the current gen may be deleted"

// ClaimName is the name of record's generation claims.
func ClaimName(record string) string { return claimPrefix + record }

// ClaimContent is the content of the claim for generation gen.
func ClaimContent(gen uint64) string { return `"gen=` + strconv.FormatUint(gen, 10) + `"` }

func postClaim(record string, gen uint64, ttl int) cfdns.RecordBatchParamsPostUnion {
	var p cfdns.TXTRecordParam
	set(&p.Name, ClaimName(record))
	set(&p.Type, cfdns.TXTRecordTypeTXT)
	set(&p.Content, ClaimContent(gen))
	set(&p.TTL, cfdns.TTL(ttl))
	set(&p.Comment, claimComment)
	return p
}

// Cloudflare's codes for a record that already exists.
const (
	codeRecordExists    = 81057
	codeIdenticalRecord = 81058
)

// claimTaken reports whether err is the API refusing a batch because a
// record it posts exists already: the generation was claimed by another
// writer (or by an earlier attempt of ours whose answer was lost).
func claimTaken(err error) bool {
	var ae *apiError
	if !errors.As(err, &ae) {
		return false
	}
	for _, d := range ae.Errors {
		if d.Code == codeRecordExists || d.Code == codeIdenticalRecord {
			return true
		}
	}
	return false
}
