// Package multi writes one switched record on several DNS providers at once,
// for a zone served by more than one (the lesson of the Dyn and OVH
// outages: the DNS provider is itself a single point of failure).
//
// It implements dns.Provider over several named dns.Providers and only
// forwards Read and Write and compares generations; every rule about the
// record itself stays in each provider's dns.Registry, which keeps its own
// generation. The rules that make the providers converge on the same
// (generation, state, target):
//
//   - Write writes every provider in parallel, each with its own
//     compare-and-swap and its own time bound. The switch is done when one
//     provider committed: Write returns then, and the others finish in the
//     background. A provider that failed is left as it was.
//   - Read reads every provider in parallel and reports the newest
//     generation any of them holds (the first in configuration order among
//     equals). A provider that cannot be read does not fail the read while
//     another answers; when none answers, Read fails with every error.
//   - A provider found behind the newest (a write failed there, or its
//     writer died between two providers) is repaired by that read: it is
//     written the newest state and target, with its own compare-and-swap
//     from the generation it holds. ErrStale then means another vantage
//     point repaired it first. Repairs run in the background, one at a
//     time per provider, so a provider that is down for writes never slows
//     a round; every read retries until the provider converges.
//   - A provider at the newest generation that holds another side or
//     target (two writers won one provider each), or a provider behind
//     whose record points at neither target (a person re-pointed it), is
//     reported and left alone: no compare-and-swap can settle it without
//     overwriting a commit or a person's change. The next switch writes a
//     newer generation everywhere.
package multi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
)

// DefaultTimeout bounds each provider's read, write or repair: longer than
// a Route 53 change's wait for INSYNC, and than a Cloudflare batch with its
// retries.
const DefaultTimeout = 30 * time.Second

// Named is one provider and the name it is reported by.
type Named struct {
	Name     string // cloudflare, route53, rfc2136
	Provider dns.Provider
}

// Options configure a Multi.
type Options struct {
	Providers []Named // two or more, in configuration order
	// PrimaryTarget and StandbyTarget are the configured targets: a
	// provider behind the others whose record points at neither was
	// re-pointed by a person, and is not repaired.
	PrimaryTarget, StandbyTarget string
	Timeout                      time.Duration // bounds each provider's call (0: DefaultTimeout)
	// NoRepair: reads only report a provider behind (an operator's status
	// must not write; the vantage points repair).
	NoRepair bool
	Log      *slog.Logger // default: discard
}

// Multi is the dns.Provider over several providers.
type Multi struct {
	o   Options
	log *slog.Logger

	bg sync.WaitGroup // background writes and repairs

	mu        sync.Mutex
	repairing map[string]bool   // a repair of this provider is running
	failed    map[string]string // the last failed background write or repair, until one succeeds
}

var _ dns.Provider = (*Multi)(nil)

// New returns the Provider over o.Providers.
func New(o Options) (*Multi, error) {
	if len(o.Providers) < 2 {
		return nil, fmt.Errorf("multi: want two or more DNS providers, got %d", len(o.Providers))
	}
	seen := map[string]bool{}
	for _, p := range o.Providers {
		if p.Name == "" || p.Provider == nil {
			return nil, errors.New("multi: every provider needs a name and an implementation")
		}
		if seen[p.Name] {
			return nil, fmt.Errorf("multi: provider %s is listed twice", p.Name)
		}
		seen[p.Name] = true
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Multi{o: o, log: log, repairing: map[string]bool{}, failed: map[string]string{}}, nil
}

// Wait blocks until every background write and repair started so far has
// ended (each is bounded by Options.Timeout): for tests, and for a process
// about to exit.
func (m *Multi) Wait() { m.bg.Wait() }

// result is one provider's answer.
type result struct {
	snap dns.Snapshot
	err  error
}

// each calls f on every provider in parallel, each under its own timeout,
// and returns the answers in configuration order.
func (m *Multi) each(ctx context.Context, f func(dns.Provider, context.Context) (dns.Snapshot, error)) []result {
	out := make([]result, len(m.o.Providers))
	var wg sync.WaitGroup
	for i, p := range m.o.Providers {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, m.o.Timeout)
			defer cancel()
			out[i].snap, out[i].err = f(p.Provider, ctx)
		})
	}
	wg.Wait()
	return out
}

// Read returns the newest generation any provider holds, with every
// provider's view, and starts the repair of those behind it.
func (m *Multi) Read(ctx context.Context) (dns.Snapshot, error) {
	rs := m.each(ctx, dns.Provider.Read)
	best := -1
	for i, r := range rs {
		if r.err == nil && (best < 0 || r.snap.State.Gen > rs[best].snap.State.Gen) {
			best = i
		}
	}
	if best < 0 {
		errs := make([]error, len(rs))
		for i, r := range rs {
			errs[i] = r.err
		}
		views := m.views(rs, dns.Snapshot{}, false)
		return dns.Snapshot{Providers: views}, fmt.Errorf("no DNS provider could be read: %w", errors.Join(errs...))
	}
	newest := rs[best].snap
	for i, r := range rs {
		if r.err == nil && r.snap.State.Gen < newest.State.Gen && !m.o.NoRepair {
			m.repair(ctx, m.o.Providers[i], r.snap, newest)
		}
	}
	newest.Providers = m.views(rs, newest, true)
	return newest, nil
}

// agrees reports whether s holds what newest reports.
func agrees(s, newest dns.Snapshot) bool {
	return s.State.Gen == newest.State.Gen && s.State.Active == newest.State.Active &&
		s.HasState == newest.HasState && dns.SameTarget(s.Content, newest.Content)
}

// views says what each provider holds beside newest (ok: newest is real).
func (m *Multi) views(rs []result, newest dns.Snapshot, ok bool) []dns.ProviderView {
	m.mu.Lock()
	defer m.mu.Unlock()
	views := make([]dns.ProviderView, len(rs))
	for i, r := range rs {
		name := m.o.Providers[i].Name
		v := dns.ProviderView{Provider: name}
		if r.err != nil {
			v.Error = r.err.Error()
			views[i] = v
			continue
		}
		v.Gen, v.Active, v.Target = r.snap.State.Gen, r.snap.State.Active, r.snap.Content
		v.Agrees = ok && agrees(r.snap, newest)
		switch {
		case v.Agrees:
		case r.snap.State.Gen < newest.State.Gen && m.unmanaged(r.snap) != nil:
			v.Error = fmt.Sprintf("behind at gen %d, not repaired: %v", r.snap.State.Gen, m.unmanaged(r.snap))
		case r.snap.State.Gen < newest.State.Gen:
			v.Error = fmt.Sprintf("behind at gen %d; being repaired to gen %d", r.snap.State.Gen, newest.State.Gen)
			if m.o.NoRepair {
				v.Error = fmt.Sprintf("behind at gen %d; the vantage points repair it to gen %d", r.snap.State.Gen, newest.State.Gen)
			}
			if why := m.failed[name]; why != "" {
				v.Error += "; the last attempt failed: " + why
			}
		default:
			v.Error = fmt.Sprintf("holds %s at gen %d beside %s on another provider: two writers each won one provider; the next switch settles it",
				r.snap.Content, r.snap.State.Gen, newest.Content)
		}
		views[i] = v
	}
	return views
}

// unmanaged returns why s was changed by a person (it points at neither
// target, or against its state), or nil.
func (m *Multi) unmanaged(s dns.Snapshot) error {
	if m.o.PrimaryTarget == "" && m.o.StandbyTarget == "" {
		return nil
	}
	_, err := s.Current(m.o.PrimaryTarget, m.o.StandbyTarget)
	return err
}

// repair starts bringing p, found at behind, up to newest, unless a
// repair of p is running already or either side is not switchyard's.
// It runs apart from the read (context.WithoutCancel) so that the read is
// not slowed by a provider that is down for writes.
func (m *Multi) repair(ctx context.Context, p Named, behind, newest dns.Snapshot) {
	if err := m.unmanaged(behind); err != nil {
		m.log.Warn("a DNS provider is behind the others and its record was changed by hand; not repairing it",
			slog.String("provider", p.Name), slog.Uint64("gen", behind.State.Gen), slog.String("error", err.Error()))
		return
	}
	if !newest.HasState || m.unmanaged(newest) != nil {
		return // nothing of switchyard's to carry over
	}
	m.mu.Lock()
	if m.repairing[p.Name] {
		m.mu.Unlock()
		return
	}
	m.repairing[p.Name] = true
	m.mu.Unlock()

	base := behind.State.Gen
	c := dns.Change{Target: newest.Content, State: newest.State, Base: &base, From: behind.Content}
	m.log.Info("a DNS provider is behind the others; repairing it",
		slog.String("provider", p.Name), slog.Uint64("from_gen", base), slog.Uint64("to_gen", newest.State.Gen),
		slog.String("target", newest.Content))
	m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.o.Timeout)
		defer cancel()
		_, err := p.Provider.Write(ctx, c)
		m.mu.Lock()
		defer m.mu.Unlock()
		m.repairing[p.Name] = false
		switch {
		case err == nil:
			delete(m.failed, p.Name)
			m.log.Info("DNS provider repaired", slog.String("provider", p.Name), slog.Uint64("gen", newest.State.Gen))
		case errors.Is(err, dns.ErrStale) || errors.Is(err, dns.ErrSuperseded):
			// Another vantage point repaired it first, or a newer switch
			// reached it: the next read compares again.
			delete(m.failed, p.Name)
			m.log.Info("DNS provider moved on before this repair; the next read compares again",
				slog.String("provider", p.Name), slog.String("error", err.Error()))
		default:
			m.failed[p.Name] = err.Error()
			m.log.Warn("could not repair a DNS provider that is behind; the next read tries again",
				slog.String("provider", p.Name), slog.String("error", err.Error()))
		}
	})
}

// Write applies c to every provider, each with its own compare-and-swap,
// and returns as soon as one committed: that provider's read-back, with
// every provider's view when all had answered by then. The other writes go on in the background
// (bounded by Options.Timeout); one that fails leaves its provider as it
// was, behind, and the next Read repairs it.
//
// Once a provider answers ErrStale (another writer committed this
// generation there first), the writes still going on are cancelled: the
// other writer's state is the one the providers converge to.
//
// When no provider commits, Write returns ErrSuperseded (with its
// read-back) if some provider committed c and moved on, ErrStale if some
// provider had moved on before c (another writer switched: c's switch must
// not happen), and otherwise every provider's error. A provider that is
// behind the generation c replaces (it missed earlier writes) is written c
// from the generation it holds, so that one switch also catches it up.
func (m *Multi) Write(ctx context.Context, c dns.Change) (dns.Snapshot, error) {
	if c.Base != nil {
		return dns.Snapshot{}, fmt.Errorf("multi: a change with a base generation is for one provider: %w", dns.ErrPermanent)
	}
	type answer struct {
		i int
		result
	}
	answers := make(chan answer, len(m.o.Providers))
	// lost ends the writes still going on once one provider says another
	// writer got there first (ErrStale): this change lost the generation,
	// and must not land on the providers that writer has not reached yet
	// (they are repaired to its state). Without it, a write retrying on a
	// slow provider could commit there after the winner's, and each writer
	// would hold one provider at the same generation.
	lostCtx, lost := context.WithCancel(context.WithoutCancel(ctx))
	var pending sync.WaitGroup
	pending.Add(len(m.o.Providers))
	m.bg.Go(func() { pending.Wait(); lost() })
	for i, p := range m.o.Providers {
		m.bg.Go(func() {
			defer pending.Done()
			ctx, cancel := context.WithTimeout(lostCtx, m.o.Timeout)
			defer cancel()
			s, err := m.writeOne(ctx, p, c)
			if errors.Is(err, dns.ErrStale) {
				lost()
			}
			switch {
			case err != nil && lostCtx.Err() != nil:
				// Stale, or cancelled because this change lost (lostCtx
				// ends early only then): nothing of ours is missing.
			case err != nil:
				m.noteFailed(p.Name, c, err)
			default:
				m.mu.Lock()
				delete(m.failed, p.Name)
				m.mu.Unlock()
			}
			answers <- answer{i, result{s, err}}
		})
	}
	rs := make([]result, len(m.o.Providers))
	done := make([]bool, len(m.o.Providers))
	for range m.o.Providers {
		var a answer
		select {
		case a = <-answers:
		case <-ctx.Done():
			return dns.Snapshot{}, fmt.Errorf("multi: write gen %d: %w (the writes go on in the background)", c.State.Gen, ctx.Err())
		}
		rs[a.i], done[a.i] = a.result, true
		if a.err == nil {
			snap := a.snap
			if !slices.Contains(done, false) {
				snap.Providers = m.writeViews(rs, snap)
			}
			// Else no views: the writes still going on would show as
			// disagreeing in every cached read of this snapshot. The next
			// read reports them.
			return snap, nil
		}
	}
	var errs []error
	var superseded, stale error
	var supersededSnap dns.Snapshot
	for _, r := range rs {
		errs = append(errs, r.err)
		switch {
		case errors.Is(r.err, dns.ErrSuperseded) && superseded == nil:
			superseded, supersededSnap = r.err, r.snap
		case errors.Is(r.err, dns.ErrStale) && stale == nil:
			stale = r.err
		}
	}
	all := errors.Join(errs...)
	switch {
	case superseded != nil:
		supersededSnap.Providers = m.writeViews(rs, supersededSnap)
		return supersededSnap, fmt.Errorf("multi: %w (every provider: %v)", superseded, all)
	case stale != nil:
		return dns.Snapshot{}, fmt.Errorf("multi: %w (every provider: %v)", stale, all)
	}
	return dns.Snapshot{}, fmt.Errorf("multi: no DNS provider committed gen %d: %w", c.State.Gen, all)
}

// writeOne writes c on p, from the generation p holds when p is behind.
func (m *Multi) writeOne(ctx context.Context, p Named, c dns.Change) (dns.Snapshot, error) {
	cur, err := p.Provider.Read(ctx)
	var bad *dns.BadStateError
	switch {
	case err != nil && c.OverwriteBadState && errors.As(err, &bad):
		return p.Provider.Write(ctx, c) // a forced move overwrites the unreadable TXT
	case err != nil:
		return dns.Snapshot{}, err
	case cur.Holds(c):
		return cur, nil // an earlier attempt committed
	case cur.State.Gen >= c.State.Gen:
		return dns.Snapshot{}, fmt.Errorf("%s: already at gen %d, this change writes gen %d: %w", p.Name, cur.State.Gen, c.State.Gen, dns.ErrStale)
	case cur.State.Gen < c.BaseGen():
		// Behind (it missed a write): catch it up in this write, unless a
		// person re-pointed it.
		if err := m.unmanaged(cur); err != nil && !c.OverwriteBadState && c.From != "" {
			return dns.Snapshot{}, fmt.Errorf("%s: behind at gen %d and changed by hand, not written: %w", p.Name, cur.State.Gen, err)
		}
		base := cur.State.Gen
		c.Base = &base
		if c.From != "" {
			c.From = cur.Content
		}
	}
	return p.Provider.Write(ctx, c)
}

// noteFailed remembers a failed write for the views, and says that the
// provider is left behind when another may have committed.
func (m *Multi) noteFailed(name string, c dns.Change, err error) {
	if errors.Is(err, dns.ErrStale) || errors.Is(err, dns.ErrSuperseded) {
		return // another writer's switch, or ours replaced: nothing is missing
	}
	m.mu.Lock()
	m.failed[name] = err.Error()
	m.mu.Unlock()
	m.log.Warn("a DNS provider failed the write; it stays as it was until a later read repairs it",
		slog.String("provider", name), slog.Uint64("gen", c.State.Gen), slog.String("error", err.Error()))
}

// writeViews are the views when every provider answered the write.
func (m *Multi) writeViews(rs []result, newest dns.Snapshot) []dns.ProviderView {
	views := make([]dns.ProviderView, len(rs))
	for i, r := range rs {
		v := dns.ProviderView{Provider: m.o.Providers[i].Name}
		switch {
		case r.err != nil:
			v.Error = r.err.Error()
		default:
			v.Gen, v.Active, v.Target = r.snap.State.Gen, r.snap.State.Active, r.snap.Content
			v.Agrees = agrees(r.snap, newest)
		}
		views[i] = v
	}
	return views
}
