package dns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// Record is one DNS record as a Zone reads or writes it.
type Record struct {
	ID   string // the provider's id for it; "" when its API has none
	Name string // fully qualified, lower case, without the trailing dot
	Type string // CNAME, A, AAAA or TXT
	// Content is the record's data. A TXT's is its text: Load may return it
	// quoted (as most APIs do), a Plan always holds it unquoted and the
	// provider writes it as its API wants.
	Content string
	TTL     int
	Created time.Time // zero when the API does not say; orders duplicates
	// Comment is a note for people reading the zone, on records switchyard
	// creates; providers whose records carry comments store it.
	Comment string
	// Proxied is Cloudflare's proxy status: the edge answers for the record
	// and routes to its content, and its TTL is always automatic (1). A
	// switch keeps both as the user set them (see plan).
	Proxied bool
}

// older orders records by creation, then id, the same for every reader.
func (r Record) older(o Record) bool {
	if !r.Created.Equal(o.Created) {
		return r.Created.Before(o.Created)
	}
	return r.ID < o.ID
}

// Update replaces one record: Old exactly as read, New what it becomes
// (same Name, Type and ID).
type Update struct{ Old, New Record }

// Plan is one atomic write, prepared by Registry from one Load.
type Plan struct {
	Updates []Update
	Deletes []Record // exactly as read; only ever the generation claim
	Creates []Record
}

// ErrConflict means a Zone refused a Plan because the zone no longer holds
// what the plan was prepared from; nothing changed. Registry reads again.
var ErrConflict = errors.New("the zone changed since the plan was read")

// Zone is what a DNS service implements; Registry adds every other rule.
//
// Load returns every record named Options.Record of Options.Type and every
// TXT record named StateName or ClaimName of it, as one consistent view: in
// one request, or in several repeated until they agree. Other records may
// be returned too and are ignored. It retries what is worth retrying.
//
// Apply commits p whole or not at all, in one request. It fails with an
// error wrapping ErrConflict, changing nothing, when the zone no longer
// holds p's Updates' Old records or Deletes as read, or a Create exists
// already; with ErrPermanent for what retrying will not fix; any other
// error may have committed, and should wrap ErrTransient when trying again
// may help. Apply does not retry: Registry reads first each time, because a
// write whose answer was lost may have committed.
//
// An Apply that checks the Old records itself (RFC 2136 prerequisites,
// Route 53's exact-match DELETE) is a compare-and-swap alone; one that
// cannot (Cloudflare's batch has no precondition) sets Options.Claims, and
// every Plan then also swaps the generation claim.
type Zone interface {
	Load(ctx context.Context) ([]Record, error)
	Apply(ctx context.Context, p Plan) error
}

// A generation claim turns each write into a compare-and-swap on a Zone
// whose writes have no precondition but are atomic (Cloudflare's batch runs
// as one transaction: if any of its operations fails, none applies).
//
// Beside the state TXT lives one claim, the TXT `_switchyard-claim.<record>`
// "gen=<N>". Every switch deletes the claim it read (by id) and creates the
// claim of generation N+1, in the same atomic write. Of all the writes
// prepared from one read, the first to commit deletes that claim; every
// other one, however late, fails whole on its delete. So that this holds
// from the first switch, Registry creates the claim (of the current
// generation) before it writes a zone that has none: two writers creating
// it at once create the same record, and the zone refuses the second.
//
// The claim is the only record switchyard ever deletes, in the same write
// that creates its successor, so exactly one exists at a time. If the state
// TXT is set back by hand below its claim, readers take the claim's
// generation as current, so writers carry on from there.
const claimPrefix = "_switchyard-claim."

// claimComment marks claim records for whoever looks at the zone.
const claimComment = "switchyard generation claim: swapped with every switch to make it a compare-and-swap; do not edit"

// stateComment marks the state record for whoever looks at the zone.
const stateComment = "switchyard failover state; written by switchyard, do not edit"

// StateName is the name of record's state TXT.
func StateName(record string) string { return state.RecordName(record) }

// ClaimName is the name of record's generation claim.
func ClaimName(record string) string { return claimPrefix + record }

// ClaimContent is the text of the claim for generation gen.
func ClaimContent(gen uint64) string { return "gen=" + strconv.FormatUint(gen, 10) }

// ClaimGen parses a claim's text, quoted or not; ok is false for anything
// else.
func ClaimGen(content string) (gen uint64, ok bool) {
	v, ok := strings.CutPrefix(strings.Trim(content, `"`), "gen=")
	if !ok {
		return 0, false
	}
	gen, err := strconv.ParseUint(v, 10, 64)
	return gen, err == nil
}

// Options configure a Registry.
type Options struct {
	Provider string // names the service in errors and logs, e.g. "cloudflare"
	Record   string // the switched record, lower case, no trailing dot
	Type     string // CNAME, A or AAAA
	TTL      int    // written on the record, the state TXT and the claim
	Claims   bool   // swap a generation claim with every write (see Zone)
	// Group is a failover group's other records (see Member), switched
	// with Record in the same write; Zone.Load returns them too. They
	// must be normalized (NormalizeGroup).
	Group []Member
	Retry Retry // how a failed Apply is retried
	Log   *slog.Logger
}

// Registry implements Provider over a Zone.
type Registry struct {
	zone Zone
	o    Options
	log  *slog.Logger
}

var _ Provider = (*Registry)(nil)

// NewRegistry returns the Provider for z.
func NewRegistry(z Zone, o Options) *Registry {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if o.Retry.Log == nil {
		o.Retry.Log = log
	}
	return &Registry{zone: z, o: o, log: log}
}

// view is what one Load found, with the records a Plan replaces.
type view struct {
	snap     Snapshot
	target   Record
	members  []Record // the group's other records, as Options.Group
	state    *Record  // nil when the state TXT does not exist yet
	claim    *Record  // nil before the first claim
	claimGen uint64
	// stale are the other claims: none normally. A claim created from a
	// read older than a switch that committed meanwhile lands beside the
	// newer claim (Cloudflare has no conditional create); no reader ever
	// swaps it, and the next write deletes it.
	stale    []Record
	badState *BadStateError // the state TXT exists but none parses
}

// Read returns the record and its state.
func (r *Registry) Read(ctx context.Context) (Snapshot, error) {
	v, err := r.load(ctx)
	if err != nil {
		return Snapshot{}, fmt.Errorf("%s: read %s: %w", r.o.Provider, r.o.Record, err)
	}
	if v.badState != nil {
		// The record itself was read: return it with the error, so that
		// an operator's status shows where it points.
		return v.snap, fmt.Errorf("%s: read %s: %w", r.o.Provider, r.o.Record, v.badState)
	}
	return v.snap, nil
}

func (r *Registry) load(ctx context.Context) (view, error) {
	recs, err := r.zone.Load(ctx)
	if err != nil {
		return view{}, err
	}
	return r.interpret(recs)
}

// sameName compares DNS names as the APIs do.
func sameName(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "."), b)
}

// interpret applies the shared rules to what a Load returned.
func (r *Registry) interpret(recs []Record) (view, error) {
	var targets, states, claims []Record
	members := make([][]Record, len(r.o.Group))
	stateName, claimName := StateName(r.o.Record), ClaimName(r.o.Record)
	for _, rec := range recs {
		typ := strings.ToUpper(rec.Type)
		switch {
		case sameName(rec.Name, r.o.Record) && typ == r.o.Type:
			targets = append(targets, rec)
		case sameName(rec.Name, stateName) && typ == "TXT":
			states = append(states, rec)
		case sameName(rec.Name, claimName) && typ == "TXT":
			claims = append(claims, rec)
		default:
			for i, m := range r.o.Group {
				if sameName(rec.Name, m.Name) && typ == m.Type {
					members[i] = append(members[i], rec)
				}
			}
		}
	}
	if len(targets) != 1 {
		return view{}, fmt.Errorf("found %d %s records named %s in the zone, expected exactly one: %w",
			len(targets), r.o.Type, r.o.Record, ErrPermanent)
	}
	t := targets[0]
	v := view{target: t, snap: Snapshot{Name: r.o.Record, Type: r.o.Type, Content: t.Content, TTL: t.TTL}}
	var missing []error
	for i, m := range r.o.Group {
		if len(members[i]) != 1 {
			missing = append(missing, fmt.Errorf("found %d %s records named %s in the zone, expected exactly one (a member of the failover group)",
				len(members[i]), m.Type, m.Name))
			continue
		}
		rec := members[i][0]
		v.members = append(v.members, rec)
		v.snap.Group = append(v.snap.Group, MemberSnapshot{Member: m, Content: rec.Content, TTL: rec.TTL})
	}
	if err := errors.Join(missing...); err != nil {
		return view{}, fmt.Errorf("%w: %w", err, ErrPermanent)
	}
	r.chooseClaim(&v, claims)
	r.chooseState(&v, states)
	r.raiseToClaim(&v)
	return v, nil
}

// chooseClaim finds the current claim. Several can exist only if someone
// copied one by hand (or an older switchyard left them): the highest
// generation is current, and the only one a write swaps.
func (r *Registry) chooseClaim(v *view, claims []Record) {
	for i, c := range claims {
		if gen, ok := ClaimGen(c.Content); ok && (v.claim == nil || gen > v.claimGen) {
			v.claim, v.claimGen = &claims[i], gen
		}
	}
	for _, c := range claims {
		if v.claim != nil && c.ID != v.claim.ID {
			v.stale = append(v.stale, c)
		}
	}
}

// chooseState picks the state among the TXT records. Two writers making
// the first switch at once on a zone without claims can each create the
// TXT (and switchyard never deletes it). Rather than wedge every later
// read, all readers agree on the same one: the highest gen, then the oldest
// record. Later writes replace that one.
func (r *Registry) chooseState(v *view, txts []Record) {
	if len(txts) == 0 {
		return
	}
	best, bad := -1, -1
	var bestState state.State
	var badErr error
	for i, t := range txts {
		st, err := state.Parse(t.Content)
		if err != nil {
			if bad < 0 || t.older(txts[bad]) {
				bad, badErr = i, err
			}
			continue
		}
		if best < 0 || st.Gen > bestState.Gen || st.Gen == bestState.Gen && t.older(txts[best]) {
			best, bestState = i, st
		}
	}
	name := StateName(r.o.Record)
	if best < 0 {
		// No state can be read: nothing may act on the record but a
		// forced manual move, which overwrites this TXT.
		v.state = &txts[bad]
		v.badState = &BadStateError{Name: name, ID: txts[bad].ID, Err: badErr}
		return
	}
	if bad >= 0 {
		r.log.Warn("ignoring a state TXT that cannot be parsed beside one that can",
			slog.String("name", name), slog.String("id", txts[bad].ID), slog.String("error", badErr.Error()))
	}
	if len(txts) > 1 {
		r.log.Warn("several state TXT records; using the highest gen",
			slog.String("name", name), slog.Int("count", len(txts)), slog.Uint64("gen", bestState.Gen),
			slog.String("id", txts[best].ID))
	}
	v.snap.State, v.snap.HasState, v.state = bestState, true, &txts[best]
}

// raiseToClaim makes the claim's generation current when the state TXT is
// behind it (set back or deleted by hand), so that the next write swaps
// the claim instead of colliding with it forever.
func (r *Registry) raiseToClaim(v *view) {
	if v.claim == nil || v.snap.State.Gen >= v.claimGen {
		return
	}
	r.log.Warn("state TXT is behind its generation claim; carrying on from the claim",
		slog.String("record", r.o.Record), slog.Uint64("state_gen", v.snap.State.Gen), slog.Uint64("claim_gen", v.claimGen))
	v.snap.State.Gen = v.claimGen
	if !v.snap.HasState {
		v.snap.State.Active = ""
	}
}

// Write points the record at c.Target and stores c.State in one atomic
// write. It reads first and gives up with ErrStale unless the stored
// generation is c.BaseGen() and, when c.From is set, the record still
// points at c.From; and reads again afterwards to check that the
// change is there.
//
// A write that fails with ErrTransient may still have been committed (the
// answer can be lost after the commit), so it is never replayed blindly:
// each retry reads again first, and finds either this change already there
// (done) or the state it expects (write again).
func (r *Registry) Write(ctx context.Context, c Change) (Snapshot, error) {
	if err := checkChange(c); err != nil {
		return Snapshot{}, r.errorf("%w", err)
	}
	// committed: the zone said this write's commit succeeded; uncertain:
	// a commit failed without an answer that says it did not happen.
	committed, uncertain, createdClaim := false, false, false
	for attempt := 0; ; attempt++ {
		v, err := r.load(ctx)
		if err != nil {
			return Snapshot{}, r.errorf("read before writing: %w", err)
		}
		if v.badState != nil && !c.OverwriteBadState {
			return Snapshot{}, r.errorf("%w", v.badState)
		}
		if v.snap.Holds(c) {
			r.dropStale(ctx, v, createdClaim)
			break // an earlier attempt was committed though its answer was lost
		}
		if gen := v.snap.State.Gen; gen != c.BaseGen() {
			r.dropStale(ctx, v, createdClaim)
			maybe := ""
			if uncertain && gen > c.State.Gen {
				// Said as it is: no claim is left to tell.
				maybe = fmt.Sprintf(" (an earlier attempt's answer was lost: it may have committed gen %d before gen %d replaced it)", c.State.Gen, gen)
			}
			return Snapshot{}, r.errorf("stored state is already at gen %d, this change was prepared from gen %d%s: %w",
				gen, c.BaseGen(), maybe, ErrStale)
		}
		if c.From != "" && !SameTarget(v.snap.Content, c.From) {
			// Re-pointed by hand since the decision: the generation did
			// not move, but the decision was made about another record.
			r.dropStale(ctx, v, createdClaim)
			return Snapshot{}, r.errorf("record points at %s now, this change was decided when it pointed at %s (changed by hand?): %w",
				v.snap.Content, c.From, ErrStale)
		}
		if c.From != "" {
			// Automation never overwrites a person's change to a member
			// either: the group must still be on one side, the stored one.
			if records, why := groupProblems(v.snap.Group, v.snap.State.Active, "the state TXT"); len(records) > 0 {
				r.dropStale(ctx, v, createdClaim)
				return Snapshot{}, r.errorf("%s (changed by hand?): %w", strings.Join(why, "; "), ErrStale)
			}
		}
		op, p := "commit", r.plan(v, c)
		if r.o.Claims && v.claim == nil {
			// No write may go out without a claim to swap: one prepared
			// now could otherwise commit after newer ones. Create the
			// claim of the current generation, then read again.
			op, p = "create the generation claim", Plan{Creates: []Record{r.claimRecord(v.snap.State.Gen)}}
		}
		err = r.zone.Apply(ctx, p)
		if err != nil && op == "commit" && !errors.Is(err, ErrConflict) && !errors.Is(err, ErrPermanent) {
			uncertain = true // the answer may have been lost after the commit
		}
		if err == nil && op == "commit" {
			committed = true
			break
		}
		if err == nil {
			if !createdClaim {
				attempt-- // not a failed attempt: the write itself is still to come
			}
			createdClaim = true
			continue
		}
		if errors.Is(err, ErrConflict) && attempt < r.o.Retry.Max {
			// Someone committed a write prepared from the same read (or
			// the claim was edited by hand). Read again: the loop finds
			// this change applied, the state moved on (ErrStale), or a
			// fresh claim to swap.
			r.o.Retry.logRetry(op+" (zone changed)", err, attempt, 0)
			continue
		}
		wait, ok := r.o.Retry.Wait(ctx, err, attempt)
		if !ok {
			return Snapshot{}, r.errorf("%s: %w", op, err)
		}
		r.o.Retry.logRetry(op, err, attempt, wait)
		if err := r.o.Retry.sleep(ctx, wait); err != nil {
			return Snapshot{}, r.errorf("%w", err)
		}
	}
	return r.verify(ctx, c, committed)
}

func (r *Registry) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: write %s: %w", r.o.Provider, r.o.Record, fmt.Errorf(format, args...))
}

// checkChange refuses a change that cannot be written correctly.
func checkChange(c Change) error {
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
	if c.Base != nil && *c.Base >= c.State.Gen {
		errs = append(errs, fmt.Errorf("base gen %d is not below state gen %d", *c.Base, c.State.Gen))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid change: %w: %w", err, ErrPermanent)
	}
	return nil
}

// plan is the next snapshot as records: the record pointed at c.Target,
// the state TXT replaced (created when there is none) and, with claims, the
// claim read swapped for the claim of c's generation.
func (r *Registry) plan(v view, c Change) Plan {
	target := v.target
	target.Content = c.Target
	if !target.Proxied {
		target.TTL = r.o.TTL // a proxied record keeps its automatic TTL
	}
	p := Plan{Updates: []Update{{Old: v.target, New: target}}}
	for i, m := range r.o.Group {
		// Every member is rewritten, even one already on the side: its
		// Old is then part of the compare-and-swap (Route 53's DELETE,
		// RFC 2136's prerequisite), so a hand change to it since the read
		// fails the write whole.
		old := v.members[i]
		rec := old
		rec.Content = m.Target(c.State.Active)
		if !rec.Proxied {
			rec.TTL = r.o.TTL
		}
		p.Updates = append(p.Updates, Update{Old: old, New: rec})
	}
	st := Record{Name: StateName(r.o.Record), Type: "TXT", Content: c.State.Format(), TTL: r.o.TTL, Comment: stateComment}
	if v.state != nil {
		st.ID, st.Created = v.state.ID, v.state.Created
		p.Updates = append(p.Updates, Update{Old: *v.state, New: st})
	} else {
		p.Creates = append(p.Creates, st)
	}
	if r.o.Claims {
		if v.claim != nil {
			p.Deletes = append(p.Deletes, *v.claim)
		}
		p.Deletes = append(p.Deletes, v.stale...)
		p.Creates = append(p.Creates, r.claimRecord(c.State.Gen))
	}
	return p
}

// dropStale deletes the stale claims of v when this write created a claim:
// its creation may be the one that landed late, beside a newer claim, and
// this writer is about to stop without a commit that would swap it away.
// Best effort: a claim no reader swaps changes no decision, and the next
// write deletes it anyway.
func (r *Registry) dropStale(ctx context.Context, v view, createdClaim bool) {
	if !createdClaim || len(v.stale) == 0 {
		return
	}
	if err := r.zone.Apply(ctx, Plan{Deletes: v.stale}); err != nil {
		r.log.Warn("could not delete a stale generation claim; the next write will",
			slog.String("record", r.o.Record), slog.String("error", err.Error()))
	}
}

func (r *Registry) claimRecord(gen uint64) Record {
	return Record{Name: ClaimName(r.o.Record), Type: "TXT", Content: ClaimContent(gen), TTL: r.o.TTL, Comment: claimComment}
}

// verify reads the record back and says truthfully what became of c:
// there (success); committed by this writer and since replaced by a newer
// generation (ErrSuperseded, with the snapshot read back); or never
// committed by this writer (ErrStale when a newer generation is there).
func (r *Registry) verify(ctx context.Context, c Change, committed bool) (Snapshot, error) {
	back, err := r.load(ctx)
	if err != nil {
		return Snapshot{}, r.errorf("read back: %w", err)
	}
	if back.snap.Holds(c) {
		r.log.Info("record switched", slog.String("record", r.o.Record), slog.String("target", back.snap.Content),
			slog.Uint64("gen", back.snap.State.Gen), slog.String("active", string(back.snap.State.Active)))
		return back.snap, nil
	}
	err = fmt.Errorf("read back %s at gen %d by %s, want %s at gen %d by %s",
		back.snap.Content, back.snap.State.Gen, back.snap.State.By, c.Target, c.State.Gen, c.State.By)
	switch {
	case committed && back.snap.State.Gen > c.State.Gen:
		return back.snap, r.errorf("this write committed gen %d; %w: %w", c.State.Gen, err, ErrSuperseded)
	case back.snap.State.Gen >= c.State.Gen:
		return Snapshot{}, r.errorf("%w: %w", err, ErrStale)
	}
	return Snapshot{}, r.errorf("%w", err)
}
