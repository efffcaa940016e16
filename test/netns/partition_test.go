//go:build linux

package netns

import (
	"strings"
	"testing"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// Each case is a deployment of its own (its own namespaces), so the cases
// run in parallel and one case's switch cannot leak into another.

// One vantage point loses its path to the primary: it suspects the primary
// and asks its peers, who still reach it and say so; nothing moves.
func TestOneVantageCutOffFromPrimary(t *testing.T) {
	needNamespaces(t)
	t.Parallel()
	d := deploy(t, deployOptions{})
	v := d.vantages[0]
	d.tp.cut(v.role, "primary")

	s := d.refused(v)
	if s.Primary.OK || s.Verdict.Down != 1 || s.Verdict.Up != len(d.vantages)-1 || s.Verdict.PrimaryDown {
		t.Errorf("%s: verdict %+v, want 1 down and the other %d up", v.id, *s.Verdict, len(d.vantages)-1)
	}
	d.assertUnmoved()
}

// The primary's link goes down: every vantage point, on both providers,
// sees it fail, the quorum agrees and the record moves to the standby,
// once. With rotating, the gcp vantage points are half-way through a key
// rotation: their down votes still count (the reason names gcp) because
// the other vantage points' requests carry the old key, which they still
// accept as SWITCHYARD_SECRET_PREVIOUS.
func TestPrimaryUnreachableFromEveryone(t *testing.T) {
	needNamespaces(t)
	for _, tc := range []struct {
		name string
		opts deployOptions
	}{
		{"steady keys", deployOptions{}},
		{"gcp mid key rotation", deployOptions{rotating: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := deploy(t, tc.opts)
			d.tp.linkDown("primary")

			d.waitAnswer(world.StandbyTarget)
			_, st := d.record()
			if st.Active != state.Standby || st.Gen != 1 || !strings.Contains(st.Reason, "(aws,azure,gcp)") {
				t.Errorf("state after failover: %s; want active=standby gen=1 with down votes from aws, azure and gcp", st.Format())
			}
			if strings.HasPrefix(st.By, "gcp:") && tc.opts.rotating {
				// gcp sends the new key, which no other vantage accepts
				// yet: it can never gather a quorum itself.
				t.Errorf("switched by %s, want a vantage point that sends the old key", st.By)
			}
		})
	}
}

// A vantage point is cut off from every peer and from the primary, while
// still reaching the standby and the DNS API: the peers it cannot reach
// abstain, an abstention is never a down vote, and one vote is no quorum.
func TestVantageCutOffFromPeersCannotSwitchAlone(t *testing.T) {
	needNamespaces(t)
	t.Parallel()
	d := deploy(t, deployOptions{})
	v := d.vantages[0]
	for _, p := range d.vantages[1:] {
		d.tp.cut(v.role, p.role)
	}
	d.tp.cut(v.role, "primary")

	s := d.refused(v)
	if s.Verdict.Down != 1 || len(s.Verdict.Abstained) != len(d.vantages)-1 || s.Verdict.PrimaryDown {
		t.Errorf("%s: verdict %+v, want 1 down and the other %d abstaining", v.id, *s.Verdict, len(d.vantages)-1)
	}
	if !s.Standby.OK {
		t.Errorf("%s: standby not OK; the cut should leave it reachable", v.id)
	}
	d.assertUnmoved()
}
