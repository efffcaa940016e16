//go:build linux

package netns

import (
	"slices"
	"strings"
	"testing"

	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// The two provider-wide failures the topology is judged by
// (dnsfailover/topology), played with real namespaces for every provider
// of the deployment: each case is a deployment of its own.

// onProvider splits the vantage points into those on p and the others.
func (d *deployment) onProvider(p string) (on, others []*vantagePoint) {
	for _, v := range d.vantages {
		if quorum.Provider(v.id) == p {
			on = append(on, v)
		} else {
			others = append(others, v)
		}
	}
	return on, others
}

// Every vantage point of one provider goes dark (its links down: the
// provider's network, or the account, gone), then the primary's link goes
// down: the vantage points left, on the other two providers, still reach
// the quorum and the record moves to the standby.
func TestProviderDown(t *testing.T) {
	needNamespaces(t)
	for _, p := range quorum.Providers(vantageIDs) {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			d := deploy(t, deployOptions{})
			dead, _ := d.onProvider(p)
			for _, v := range dead {
				d.tp.linkDown(v.role)
			}
			d.tp.linkDown("primary")

			d.waitAnswer(world.StandbyTarget)
			_, st := d.record()
			if st.Active != state.Standby || st.Gen != 1 || quorum.Provider(st.By) == p || strings.Contains(st.Reason, p) {
				t.Errorf("state after failover: %s; want active=standby gen=1, switched and voted without %s", st.Format(), p)
			}
			for _, v := range dead {
				if n := len(v.proc.logEntries("switched")); n > 0 {
					t.Errorf("%s is cut off from everything yet logged %d switches", v.id, n)
				}
			}
		})
	}
}

// Every vantage point of one provider loses its path to the primary while
// the others still reach it: each of them suspects, asks its peers, and is
// refused, since a blind provider's down votes come from one provider and
// fall short of the quorum; nothing moves.
func TestProviderBlind(t *testing.T) {
	needNamespaces(t)
	for _, p := range quorum.Providers(vantageIDs) {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			d := deploy(t, deployOptions{})
			blind, others := d.onProvider(p)
			for _, v := range blind {
				d.tp.cut(v.role, "primary")
			}
			for _, v := range blind {
				s := d.refused(v)
				if s.Verdict.Down != len(blind) || !slices.Equal(s.Verdict.DownProviders, []string{p}) || s.Verdict.PrimaryDown {
					t.Errorf("%s: verdict %+v, want %d down from %s only and no failover", v.id, *s.Verdict, len(blind), p)
				}
			}
			for _, v := range others {
				if s := d.waitStatus(v, "a round", func(status) bool { return true }); !s.Primary.OK {
					t.Errorf("%s sees the primary down (%s); only %s was cut off", v.id, s.Primary.Reason, p)
				}
			}
			d.assertUnmoved()
		})
	}
}
