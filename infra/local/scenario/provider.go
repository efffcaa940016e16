package scenario

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// The two provider-wide failures a topology must get right (see
// dnsfailover/topology), one scenario per provider of the default world:
// provider-down-P, every vantage point of P dies and then the primary
// fails: the others must still switch; provider-blind-P, every vantage
// point of P loses its path to the primary while the others still reach
// it: nothing may switch.
func providerScenarios() []Scenario {
	var out []Scenario
	for _, p := range quorum.Providers(world.DefaultVantages) {
		out = append(out, Scenario{
			Name:  "provider-down-" + p,
			About: fmt.Sprintf("every vantage point on %s dies (a provider-wide outage, or the account gone), then the primary fails: the rest still fail over", p),
			Play:  func(ctx context.Context, s *Stage) error { return providerDown(ctx, s, p) },
		})
	}
	for _, p := range quorum.Providers(world.DefaultVantages) {
		out = append(out, Scenario{
			Name:  "provider-blind-" + p,
			About: fmt.Sprintf("every vantage point on %s loses its path to the primary while the others still reach it: no switch", p),
			Play:  func(ctx context.Context, s *Stage) error { return providerBlind(ctx, s, p) },
		})
	}
	return out
}

// nodesOf returns the live vantage points on provider p, or an error when
// the world has none (a world started with other vantage points).
func nodesOf(s *Stage, p string) ([]*world.Node, error) {
	var out []*world.Node
	for _, n := range s.W.Nodes {
		if n.Vantage != nil && quorum.Provider(n.ID) == p {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the world has no vantage point on %s", p)
	}
	return out, nil
}

func ids(nodes []*world.Node) string {
	var s []string
	for _, n := range nodes {
		s = append(s, n.ID)
	}
	return strings.Join(s, ", ")
}

func providerDown(ctx context.Context, s *Stage, p string) error {
	dead, err := nodesOf(s, p)
	if err != nil {
		return err
	}
	s.W.Fault(world.EventFault, fmt.Sprintf("%s is down: %s", p, ids(dead)))
	for _, n := range dead {
		if err := s.W.Kill(n.ID); err != nil {
			return err
		}
		n.Vantage = nil
	}
	mark := s.R.Mark()
	s.Inject("primary origin returns 503 to everyone", func() { s.W.Primary.SetDown(true) })
	if err := s.ExpectFailover(ctx); err != nil {
		return fmt.Errorf("with every vantage point on %s dead, the others never failed over: %w", p, err)
	}
	for _, e := range s.R.Since(mark) {
		if e.Kind == vantage.EventSwitched && quorum.Provider(e.Vantage) == p {
			return fmt.Errorf("%s switched, but every vantage point on %s is dead", e.Vantage, p)
		}
	}
	s.W.Fault(world.EventNote, fmt.Sprintf("failed over without %s", p))
	return nil
}

func providerBlind(ctx context.Context, s *Stage, p string) error {
	blind, err := nodesOf(s, p)
	if err != nil {
		return err
	}
	mark := s.R.Mark()
	s.Inject(fmt.Sprintf("%s cut off from the primary: %s", p, ids(blind)), func() {
		for _, n := range blind {
			n.Net.Cut(host(s.W.Primary.URL()))
		}
	})
	// Every blind vantage point suspects, asks its peers and is refused,
	// twice: the quorum was asked and said no, not merely not yet asked.
	ctx2, cancel := Within(ctx, 10*s.Bound())
	defer cancel()
	if err := s.R.WaitFor(ctx2, mark, "two refused switches from every vantage point on "+p, func(evs []world.Event) bool {
		for _, n := range blind {
			if Count(evs, Kind(vantage.EventRefused, n.ID)) < 2 {
				return false
			}
		}
		return true
	}); err != nil {
		if serr := s.NoSwitchSince(mark); serr != nil {
			return fmt.Errorf("%s went blind and traffic moved: %w", p, serr)
		}
		return err
	}
	if err := s.NoSwitchSince(mark); err != nil {
		return fmt.Errorf("%s went blind and traffic moved: %w", p, err)
	}
	for _, n := range s.W.Nodes {
		if n.Vantage != nil && quorum.Provider(n.ID) != p && !n.Vantage.Last().Primary.OK {
			return fmt.Errorf("%s sees the primary down (%s); only %s was cut off", n.ID, n.Vantage.Last().Primary.Reason, p)
		}
	}
	s.W.Fault(world.EventNote, fmt.Sprintf("every vantage point on %s was refused twice by the others; the record never moved", p))
	return nil
}
