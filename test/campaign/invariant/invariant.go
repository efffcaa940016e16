// Package invariant checks what must hold of a switched record's zone at
// every moment, as the Cloudflare-compatible API (infra/local/cloudflareapi)
// holds it: exactly one switched record, one state TXT and one generation
// claim; the record points where the state says; generations only grow; no
// record is deleted but the claim swapped inside a switch; automation never
// moves a record an operator pinned.
//
// A Checker is fed every committed snapshot in commit order (the API's
// OnChange hook) and counts every violation instead of stopping at the
// first, so a campaign can report how often each one happened.
package invariant

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
)

// Kinds of violation.
const (
	RecordMissing    = "record missing"
	RecordDuplicated = "record duplicated"
	StateMissing     = "state TXT missing"
	StateDuplicated  = "state TXT duplicated"
	StateUnreadable  = "state TXT unreadable"
	ClaimMissing     = "claim missing"
	ClaimDuplicated  = "claim duplicated"
	ClaimLeftStale   = "stale claim left behind"
	ClaimDisagrees   = "claim generation differs from the state's"
	RecordDisagrees  = "record points elsewhere than its state says"
	GroupDisagrees   = "a failover group's record points elsewhere than its state says"
	GenerationBack   = "generation went back"
	GenerationReused = "generation reused for a different state"
	Deleted          = "record deleted"
	PinOverridden    = "operator's pin overridden by automation"
)

// Zone names what the checker looks at.
type Zone struct {
	Record, PrimaryTarget, StandbyTarget string
	// ClaimFromStart: a generation claim exists before the first switch
	// (every write a compare-and-swap). When false, as before claims were
	// created at setup, a zone at generation 0 may have no claim.
	ClaimFromStart bool
	// Group is a failover group's other records (SWITCHYARD_GROUP): each
	// must exist exactly once and point where the state says, in every
	// snapshot, since a switch moves them all in one write.
	Group []GroupRecord
}

// GroupRecord is one more record of a failover group.
type GroupRecord struct {
	Name, Type, PrimaryTarget, StandbyTarget string
}

// Violation is one broken invariant in one snapshot.
type Violation struct {
	Kind   string
	Detail string
}

func (v Violation) String() string { return v.Kind + ": " + v.Detail }

// Checker checks a sequence of snapshots of one zone. Safe for concurrent use.
type Checker struct {
	z Zone

	mu     sync.Mutex
	prev   map[string]cloudflareapi.Record // by id, the last snapshot
	last   *state.State                    // the last readable state
	counts map[string]int
	first  []Violation // the first few, for reports
	checks int
	stale  int
}

// keep is how many violations a Checker remembers word for word.
const keep = 20

// New returns a Checker for z.
func New(z Zone) *Checker {
	return &Checker{z: z, counts: map[string]int{}}
}

// Check checks one snapshot, after the one before it, and returns what it
// found broken (also counted).
func (c *Checker) Check(rs []cloudflareapi.Record) []Violation {
	return c.check(rs, false)
}

// Final checks the last snapshot, when every write has ended: besides what
// Check counts, a claim of an older generation than the state's must be
// gone by now.
func (c *Checker) Final(rs []cloudflareapi.Record) []Violation {
	return c.check(rs, true)
}

// Stale is how many snapshots held a claim older than the state beside the
// current one (see Check): not a violation while writes are in flight.
func (c *Checker) Stale() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stale
}

func (c *Checker) check(rs []cloudflareapi.Record, final bool) []Violation {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checks++
	var found []Violation
	add := func(kind, format string, args ...any) {
		v := Violation{Kind: kind, Detail: fmt.Sprintf(format, args...)}
		found = append(found, v)
		c.counts[kind]++
		if len(c.first) < keep {
			c.first = append(c.first, v)
		}
	}

	var records, states, claims []cloudflareapi.Record
	members := make([][]cloudflareapi.Record, len(c.z.Group))
	stateName, claimName := state.RecordName(c.z.Record), claimPrefix+c.z.Record
	for _, r := range rs {
		if i := slices.IndexFunc(c.z.Group, func(g GroupRecord) bool { return fold(g.Name) == fold(r.Name) && g.Type == r.Type }); i >= 0 {
			members[i] = append(members[i], r)
			continue
		}
		switch name := fold(r.Name); name {
		case fold(c.z.Record):
			records = append(records, r)
		case fold(stateName):
			states = append(states, r)
		case fold(claimName):
			claims = append(claims, r)
		}
	}
	switch len(records) {
	case 0:
		add(RecordMissing, "no record %s", c.z.Record)
	case 1:
	default:
		add(RecordDuplicated, "%d records %s: %s", len(records), c.z.Record, contents(records))
	}

	var st *state.State
	switch len(states) {
	case 0:
		add(StateMissing, "no TXT %s", stateName)
	case 1:
		s, err := state.Parse(states[0].Content)
		if err != nil {
			add(StateUnreadable, "%s %q: %v", stateName, states[0].Content, err)
		} else {
			st = &s
		}
	default:
		add(StateDuplicated, "%d TXT %s: %s", len(states), stateName, contents(states))
	}

	// A claim older than the state is stale: Cloudflare has no conditional
	// create, so the claim a writer creates before the first switch can
	// land after another writer's switch, beside the newer claim. No reader
	// swaps it and its writer deletes it before it returns, so while
	// writes are in flight it is noted (Stale), and only a final snapshot
	// that still holds one counts it.
	var current, stale []cloudflareapi.Record
	for _, r := range claims {
		if g, ok := claimGen(r.Content); ok && st != nil && g < st.Gen {
			stale = append(stale, r)
		} else {
			current = append(current, r)
		}
	}
	if len(stale) > 0 {
		c.stale++
		if final {
			add(ClaimLeftStale, "%d claims older than gen %d: %s", len(stale), st.Gen, contents(stale))
		}
	}
	switch {
	case len(current) > 1:
		add(ClaimDuplicated, "%d claims: %s", len(current), contents(current))
	case len(current) == 0 && (c.z.ClaimFromStart || st != nil && st.Gen > 0):
		gen := "?"
		if st != nil {
			gen = strconv.FormatUint(st.Gen, 10)
		}
		add(ClaimMissing, "no %s at generation %s", claimName, gen)
	case len(current) == 1 && st != nil:
		if g, ok := claimGen(current[0].Content); !ok || g != st.Gen {
			add(ClaimDisagrees, "claim %s, state at gen %d", current[0].Content, st.Gen)
		}
	}

	if st != nil && len(records) == 1 {
		want := c.z.PrimaryTarget
		if st.Active == state.Standby {
			want = c.z.StandbyTarget
		}
		if fold(records[0].Content) != fold(want) {
			add(RecordDisagrees, "record %s, state says %s (gen %d by %s)", records[0].Content, st.Active, st.Gen, st.By)
		}
	}

	for i, g := range c.z.Group {
		switch {
		case len(members[i]) != 1:
			add(GroupDisagrees, "%d %s records %s, want one", len(members[i]), g.Type, g.Name)
		case st != nil:
			want := g.PrimaryTarget
			if st.Active == state.Standby {
				want = g.StandbyTarget
			}
			if fold(members[i][0].Content) != fold(want) {
				add(GroupDisagrees, "%s %s %s, state says %s (gen %d by %s)", g.Name, g.Type, members[i][0].Content, st.Active, st.Gen, st.By)
			}
		}
	}

	if st != nil && c.last != nil {
		prev := c.last
		switch {
		case st.Gen < prev.Gen:
			add(GenerationBack, "gen %d (%s by %s) after gen %d (%s by %s)", st.Gen, st.Active, st.By, prev.Gen, prev.Active, prev.By)
		case st.Gen == prev.Gen && st.Format() != prev.Format():
			add(GenerationReused, "gen %d is now %s by %s, was %s by %s", st.Gen, st.Active, st.By, prev.Active, prev.By)
		case st.Gen > prev.Gen && prev.Pinned && !manual(st.By):
			add(PinOverridden, "gen %d %s by %s over gen %d pinned to %s by %s", st.Gen, st.Active, st.By, prev.Gen, prev.Active, prev.By)
		}
	}
	if st != nil {
		c.last = st
	}

	// Deletes: any record of the last snapshot gone from this one, but a
	// claim replaced by a claim of a later generation.
	now := make(map[string]cloudflareapi.Record, len(rs))
	for _, r := range rs {
		now[r.ID] = r
	}
	if c.prev != nil {
		for _, id := range slices.Sorted(maps.Keys(c.prev)) {
			if _, ok := now[id]; ok {
				continue
			}
			gone := c.prev[id]
			// Any record's claim may be swapped, the drill record's too:
			// judge it against the claims of its own name.
			if strings.HasPrefix(fold(gone.Name), fold(claimPrefix)) && swapped(gone, claimsNamed(rs, gone.Name)) {
				continue
			}
			add(Deleted, "%s %s %q (id %s)", gone.Type, gone.Name, gone.Content, id)
		}
	}
	c.prev = now
	return found
}

// claimsNamed returns the records of rs named name.
func claimsNamed(rs []cloudflareapi.Record, name string) []cloudflareapi.Record {
	var out []cloudflareapi.Record
	for _, r := range rs {
		if fold(r.Name) == fold(name) {
			out = append(out, r)
		}
	}
	return out
}

// swapped reports whether a claim of a later generation than gone exists.
func swapped(gone cloudflareapi.Record, claims []cloudflareapi.Record) bool {
	g, ok := claimGen(gone.Content)
	for _, c := range claims {
		if n, ok2 := claimGen(c.Content); ok && ok2 && n > g {
			return true
		}
	}
	return false
}

// Counts returns how many violations of each kind were found so far.
func (c *Checker) Counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.counts)
}

// Total is the number of violations found so far.
func (c *Checker) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.counts {
		n += v
	}
	return n
}

// First returns the first violations found, word for word (at most 20).
func (c *Checker) First() []Violation {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.first)
}

// Checks is how many snapshots were checked.
func (c *Checker) Checks() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checks
}

// Last is the last readable state seen, if any.
func (c *Checker) Last() (state.State, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last == nil {
		return state.State{}, false
	}
	return *c.last, true
}

// claimPrefix is the documented name of the generation claim: the TXT
// _switchyard-claim.<record> "gen=<N>" (README, "How racing writers are
// kept apart"). Written here again rather than taken from the provider, so
// that a provider that names it wrongly is caught.
const claimPrefix = "_switchyard-claim."

func claimGen(content string) (uint64, bool) {
	v, ok := strings.CutPrefix(strings.Trim(content, `"`), "gen=")
	if !ok {
		return 0, false
	}
	g, err := strconv.ParseUint(v, 10, 64)
	return g, err == nil
}

// manual reports whether by names an operator (manual:<who>), the only
// writer allowed to move a pinned record.
func manual(by string) bool { return strings.HasPrefix(by, "manual:") }

func fold(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

func contents(rs []cloudflareapi.Record) string {
	var cs []string
	for _, r := range rs {
		cs = append(cs, r.Type+" "+r.Content)
	}
	return strings.Join(cs, ", ")
}
