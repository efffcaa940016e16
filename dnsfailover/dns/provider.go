// Package dns defines the one seam between switchyard and a DNS service.
// Each service is its own package (dns/cloudflare, later dns/route53 and
// dns/rfc2136) and implements Provider.
package dns

import (
	"context"
	"errors"
	"fmt"

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
}

// Change is one atomic write: point the record at Target and store State.
type Change struct {
	Target string
	State  state.State
	// OverwriteBadState lets the write replace a state TXT that cannot be
	// parsed (*BadStateError), as a forced manual move does; State.Gen
	// must then be one more than the generation Read reported.
	OverwriteBadState bool
}

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

// Provider reads and writes one switched record and its state TXT.
type Provider interface {
	// Read returns the record and its state, straight from the provider's API
	// (never from public DNS, which may lag behind).
	Read(ctx context.Context) (Snapshot, error)
	// Write applies c in one atomic request where the provider allows it and
	// returns the state read back after the write. It must fail with
	// ErrStale, changing nothing, when the record's current generation is
	// not c.State.Gen-1, and must never delete a record. When it fails the
	// record and the TXT are as they were.
	Write(ctx context.Context, c Change) (Snapshot, error)
}

// ErrStale means another writer moved the state on since we read it.
var ErrStale = errors.New("state generation moved on since it was read")

// ErrPermanent wraps errors that retrying will not fix (bad token, no such
// zone or record, invalid request).
var ErrPermanent = errors.New("permanent DNS provider error")
