package manual

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/peers"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/topology"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
)

// maxStatus bounds a peer's /status body; a Round is a few KiB.
const maxStatus = 256 << 10

// StateView is the decoded state TXT, with JSON names for machines.
type StateView struct {
	Active state.Side `json:"active"`
	Gen    uint64     `json:"gen"`
	Since  time.Time  `json:"since,omitzero"`
	By     string     `json:"by,omitempty"`
	Pinned bool       `json:"pinned"`
	// Until is when a maintenance hold ends (zero: none).
	Until time.Time `json:"until,omitzero"`
	// Dwell is the state's dwell= (Go duration), "" when it has none.
	Dwell  string `json:"dwell,omitempty"`
	Reason string `json:"reason,omitempty"`
}

func viewOf(s state.State) *StateView {
	v := &StateView{Active: s.Active, Gen: s.Gen, Since: s.Since, By: s.By, Pinned: s.Pinned, Until: s.Until, Reason: s.Reason}
	if s.Dwell > 0 {
		v.Dwell = s.Dwell.String()
	}
	return v
}

// View is the record at one moment: its target, which side that is and the
// state TXT (nil when there is none yet).
type View struct {
	Target string     `json:"target"`
	Side   state.Side `json:"side,omitempty"` // "" when the target is neither configured one
	State  *StateView `json:"state,omitempty"`
}

// Health is both targets' checks, run now from where the operator is.
type Health struct {
	Primary probe.Result `json:"primary"`
	Standby probe.Result `json:"standby"`
}

// VantageView is one vantage point's latest round as its GET /status
// reported it, or why it could not be fetched.
type VantageView struct {
	ID    string         `json:"id"`
	URL   string         `json:"url,omitempty"`
	Error string         `json:"error,omitempty"` // unreachable, bad reply, or no URL
	Round *vantage.Round `json:"round,omitempty"` // nil when Error is set
}

// Report is everything `failover status` shows.
type Report struct {
	At      time.Time `json:"at"`
	Record  string    `json:"record"`
	Type    string    `json:"type"`
	Current View      `json:"current"`
	// Group is the failover group's other records, each as read.
	Group         []GroupView `json:"group,omitempty"`
	PrimaryTarget string      `json:"primary_target"`
	StandbyTarget string      `json:"standby_target"`
	Failback      string      `json:"failback,omitempty"`
	// Dwell is the time the record must stay on the standby before an
	// automatic failback, MIN_DWELL or longer after flapping, in words.
	Dwell   string `json:"dwell,omitempty"`
	Problem string `json:"problem,omitempty"` // why automation would not touch the record
	// Providers is every DNS provider's own view when several are written
	// (SWITCHYARD_DNS_PROVIDER=cloudflare,route53); Current is the newest.
	Providers []dns.ProviderView `json:"providers,omitempty"`
	Health    Health             `json:"health"`
	Vantages  []VantageView      `json:"vantages"`
	// Topology says whether the configured vantage points survive the loss
	// and resist the blindness of any one provider.
	Topology *topology.Analysis `json:"topology,omitempty"`
}

// Status reads the record and its state, checks both targets and fetches
// every vantage point's latest round, all at once. Only a failed DNS read
// is an error; a failing check or an unreachable peer is part of the report.
func (m *Manual) Status(ctx context.Context) (Report, error) {
	var (
		wg     sync.WaitGroup
		health Health
		views  = make([]VantageView, len(m.o.Peers))
	)
	wg.Go(func() { health.Primary = m.o.Primary(ctx) })
	wg.Go(func() { health.Standby = m.o.Standby(ctx) })
	for i, p := range m.o.Peers {
		wg.Go(func() { views[i] = m.fetchStatus(ctx, p) })
	}
	snap, cur, problem, err := m.read(ctx)
	wg.Wait()
	if err != nil {
		return Report{}, err
	}
	if m.o.Self != "" && !m.hasPeer(m.o.Self) {
		views = append([]VantageView{{ID: m.o.Self, Error: "no URL: SWITCHYARD_VANTAGE is not listed in SWITCHYARD_PEERS"}}, views...)
	}
	r := Report{
		At: m.o.Now().UTC(), Record: snap.Name, Type: snap.Type,
		Current:       m.view(snap.Content, snap.HasState || problem == "", cur),
		Group:         groupViews(snap),
		PrimaryTarget: m.o.PrimaryTarget, StandbyTarget: m.o.StandbyTarget,
		Failback: m.o.Failback, Problem: problem, Health: health, Vantages: views,
		Dwell:     failover.Policy{MinDwell: m.o.MinDwell}.DwellText(cur),
		Topology:  m.Topology(),
		Providers: snap.Providers,
	}
	m.o.Log.Debug("manual: status", "record", r.Record, "target", r.Current.Target, "side", r.Current.Side,
		"primary_ok", health.Primary.OK, "standby_ok", health.Standby.OK)
	return r, nil
}

// view describes target and st; withState false leaves the state out.
func (m *Manual) view(target string, withState bool, st state.State) View {
	v := View{Target: target}
	switch {
	case dns.SameTarget(target, m.o.PrimaryTarget):
		v.Side = state.Primary
	case dns.SameTarget(target, m.o.StandbyTarget):
		v.Side = state.Standby
	}
	if withState {
		v.State = viewOf(st)
	}
	return v
}

func (m *Manual) hasPeer(id string) bool {
	for _, p := range m.o.Peers {
		if p.ID == id {
			return true
		}
	}
	return false
}

// fetchStatus GETs <url>/status. The endpoint is unsigned: a round holds no
// secret, and nothing here acts on it; a move decides on the operator's own
// check of the target, never on what a peer says.
func (m *Manual) fetchStatus(ctx context.Context, p peers.Peer) VantageView {
	v := VantageView{ID: p.ID, URL: p.URL}
	round, err := m.getStatus(ctx, p)
	if err != nil {
		v.Error = err.Error()
		return v
	}
	v.Round = round
	return v
}

func (m *Manual) getStatus(ctx context.Context, p peers.Peer) (*vantage.Round, error) {
	ctx, cancel := context.WithTimeout(ctx, m.o.PeerTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(p.URL, "/")+"/status", nil)
	if err != nil {
		return nil, fmt.Errorf("bad URL: %w", err)
	}
	resp, err := m.o.PeerHTTP.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("unreachable: no answer within %s", m.o.PeerTimeout)
		}
		return nil, fmt.Errorf("unreachable: %s", shortErr(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxStatus+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("unreachable: %s", shortErr(err))
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("answered HTTP %d", resp.StatusCode)
	case len(body) > maxStatus:
		return nil, fmt.Errorf("bad reply: larger than %d bytes", maxStatus)
	}
	var r vantage.Round
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, errors.New("bad reply: not a switchyard status")
	}
	switch {
	case r.Vantage != p.ID:
		return nil, fmt.Errorf("bad reply: it says it is %q", short(r.Vantage))
	case r.At.IsZero():
		return nil, errors.New("up, no probe round yet")
	}
	return &r, nil
}

// shortErr drops url.Error's "Get "<url>": " prefix: the row names the peer.
func shortErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, "\": "); i >= 0 {
		return s[i+3:]
	}
	return s
}
