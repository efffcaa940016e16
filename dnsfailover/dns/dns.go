// Package dns is the one seam between switchyard and a DNS service, and the
// home of every rule about the switched record that does not depend on the
// service.
//
// The layers, as in external-dns (a registry over narrow providers):
//
//   - Provider is what the rest of switchyard uses: Read a Snapshot, Write a
//     Change. Cached wraps one to save API reads at steady state.
//   - Registry implements Provider once for every service: it chooses the
//     state among the TXT records, parses and swaps the generation claim,
//     refuses a stale change, plans the next records and reads them back.
//   - Zone is what each service implements (dns/cloudflare, dns/route53,
//     dns/rfc2136): one consistent read of the records, and one atomic
//     conditional write of a Plan. Nothing else differs between them.
package dns

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// Snapshot is what a provider read: the switched record's current content
// and the decoded state beside it.
type Snapshot struct {
	Name    string // the switched record, e.g. assets.example.com
	Type    string // CNAME, A or AAAA
	Content string // the current target
	TTL     int
	// State is the decoded `_switchyard.<name>` TXT. HasState is false when
	// the TXT record does not exist yet (the first switch creates it).
	State    state.State
	HasState bool
	// Pending is set on a write's read-back when the provider accepted the
	// change but had not yet reported it served by all its name servers
	// within its wait (Route 53's PENDING). The API already shows it.
	Pending bool
	// Group is the failover group's other records, in configured order
	// (none for a single record). The state and the claim are the first
	// record's (Name): one for the group.
	Group []MemberSnapshot `json:"group,omitempty"`
	// Providers is every provider's own view, in configuration order, when
	// several are written at once (dns/multi); nil with one.
	Providers []ProviderView `json:"providers,omitempty"`
}

// ProviderView is what one of several providers holds (dns/multi).
type ProviderView struct {
	Provider string     `json:"provider"` // cloudflare, route53, rfc2136
	Gen      uint64     `json:"gen"`
	Active   state.Side `json:"active,omitempty"`
	Target   string     `json:"target,omitempty"`
	// Agrees is true when the provider holds the generation, side and
	// target the snapshot reports (the newest any provider holds).
	Agrees bool `json:"agrees"`
	// Error says why the provider could not be read, why it is not agreeing
	// (behind, being repaired; a person's change, left alone), or what its
	// last repair or write failed with.
	Error string `json:"error,omitempty"`
}

// Disagreeing names the providers of s that do not hold what s reports:
// behind, unreadable, or differing at the same generation. Nil with one
// provider.
func (s Snapshot) Disagreeing() []string {
	var out []string
	for _, v := range s.Providers {
		if !v.Agrees {
			out = append(out, v.Provider)
		}
	}
	return out
}

// Change is one atomic write: point the record at Target and store State.
// The members of a failover group follow State.Active (Member.Target), in
// the same write.
type Change struct {
	Target string
	State  state.State
	// OverwriteBadState lets the write replace a state TXT that cannot be
	// parsed (*BadStateError), as a forced manual move does; State.Gen
	// must then be one more than the generation Read reported.
	OverwriteBadState bool
	// From is the target the writer saw when it decided: the write fails
	// with ErrStale, changing nothing, when the record points elsewhere
	// now. A person may re-point the record by hand without moving the
	// generation; automation must never overwrite that. "" skips the check
	// (a forced manual move overwrites whatever is there).
	From string
	// Base, when set, is the generation the write replaces instead of
	// State.Gen-1: a provider that missed writes is brought up to another
	// provider's newer state in one compare-and-swap from the generation it
	// holds (dns/multi's repair). It must be below State.Gen.
	Base *uint64
}

// BaseGen is the generation c replaces: *c.Base when set, else State.Gen-1.
func (c Change) BaseGen() uint64 {
	if c.Base != nil {
		return *c.Base
	}
	return c.State.Gen - 1
}

// Provider reads and writes one switched record and its state TXT.
// Registry implements it over any Zone; dns/multi over several Providers.
type Provider interface {
	// Read returns the record and its state, straight from the provider's API
	// (never from public DNS, which may lag behind), as one consistent
	// snapshot: never the record from before a switch beside the state from
	// after it.
	Read(ctx context.Context) (Snapshot, error)
	// Write applies c as one compare-and-swap and returns the state read
	// back after the write. It fails with ErrStale, changing nothing, when
	// the record's current generation is not c.BaseGen() (however old the
	// read the change was prepared from), and never deletes a record. When
	// it fails the record and the TXT are as they were, except with
	// ErrSuperseded: c committed, and a newer write replaced it before the
	// read-back.
	Write(ctx context.Context, c Change) (Snapshot, error)
}

// ErrStale means another writer moved the state on since we read it: this
// change did not commit.
var ErrStale = errors.New("state generation moved on since it was read")

// ErrSuperseded means this change committed, and by the time it was read
// back a newer generation had replaced it. It does not wrap ErrStale: the
// writer's switch did happen.
var ErrSuperseded = errors.New("the write committed, then a newer generation replaced it")

// ErrPermanent wraps errors that retrying will not fix (bad token, no such
// zone or record, invalid request).
var ErrPermanent = errors.New("permanent DNS provider error")

// BadStateError says the state TXT exists but cannot be parsed (edited by
// hand, say). Automation stops on it; an operator can fix the TXT or
// overwrite it with a forced manual move. It wraps ErrPermanent.
type BadStateError struct {
	Name, ID string
	Err      error
}

func (e *BadStateError) Error() string {
	return fmt.Sprintf("state TXT %s (id %s) cannot be read: %v", e.Name, e.ID, e.Err)
}

func (e *BadStateError) Unwrap() []error { return []error{e.Err, ErrPermanent} }

// UnmanagedError says why a record is not in a state switchyard will act on:
// it points at neither configured target (a person changed it), or its
// state TXT disagrees with where it points, or (a failover group) the
// group's records are not all on one side. Record names each record at
// fault, comma-separated. Automation holds rather than
// fight a person; a manual move may still be forced.
type UnmanagedError struct {
	Record string
	Why    string
}

func (e *UnmanagedError) Error() string {
	return fmt.Sprintf("record %s: %s; not touching it", e.Record, e.Why)
}

// Current returns the state the record is in. Before the first switch there
// is no state TXT and the record's content says which side is active. When
// the record is unmanaged it returns the stored state (or the zero State)
// and an *UnmanagedError. A Snapshot is one consistent read (see Provider),
// so a disagreement here is a person's change, never a read that straddled
// a switch.
func (s Snapshot) Current(primaryTarget, standbyTarget string) (state.State, error) {
	var side state.Side
	var records, why []string
	it := "it" // in a group, each problem names its record
	if len(s.Group) > 0 {
		it = s.label()
	}
	switch {
	case SameTarget(s.Content, primaryTarget):
		side = state.Primary
	case SameTarget(s.Content, standbyTarget):
		side = state.Standby
	default:
		records = append(records, s.label())
		why = append(why, fmt.Sprintf("%s points at %q, which is neither the primary target %q nor the standby target %q",
			it, s.Content, primaryTarget, standbyTarget))
	}
	if side != "" && s.HasState && s.State.Active != side {
		records = append(records, s.label())
		why = append(why, fmt.Sprintf("%s points at the %s target but its state TXT says %s", it, side, s.State.Active))
	}
	// The members must be on the same side as the first record (or, when
	// it is on neither, as the state says): one group, one side.
	lead, leadSide := s.label(), side
	if leadSide == "" && s.HasState {
		lead, leadSide = "its state TXT", s.State.Active
	}
	r, w := groupProblems(s.Group, leadSide, lead)
	records, why = append(records, r...), append(why, w...)
	if len(records) > 0 {
		return s.State, &UnmanagedError{Record: strings.Join(records, ", "), Why: strings.Join(why, "; ")}
	}
	if !s.HasState {
		// Gen is 0, or the generation claim's when the TXT was lost.
		return state.State{Active: side, Gen: s.State.Gen}, nil
	}
	return s.State, nil
}

// label names the switched record: its name, and its type too in a group
// (assets.example.com A beside assets.example.com AAAA).
func (s Snapshot) label() string {
	if len(s.Group) == 0 {
		return s.Name
	}
	return s.Name + " " + s.Type
}

// Holds reports whether s already shows change c: the target (compared as
// DNS does) and exactly the state c writes. A write whose answer was lost,
// or whose caller gave up after the commit, is recognised by it.
func (s Snapshot) Holds(c Change) bool {
	if !s.HasState || s.State.Format() != c.State.Format() || !SameTarget(s.Content, c.Target) {
		return false
	}
	for _, m := range s.Group {
		if !SameTarget(m.Content, m.Target(c.State.Active)) {
			return false
		}
	}
	return true
}

// SameTarget compares two record contents as DNS and the providers'
// APIs do: addresses by value (2001:db8::1 is 2001:DB8:0::1), host names
// without regard to case or a trailing dot. Configured targets are written
// by people; what the API returns is normalised.
func SameTarget(a, b string) bool {
	if x, err := netip.ParseAddr(a); err == nil {
		y, err := netip.ParseAddr(b)
		return err == nil && x == y
	}
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}
