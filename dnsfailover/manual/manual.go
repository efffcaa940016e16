// Package manual is switchyard's manual control: show what switchyard sees
// (Status), move traffic by hand and pin it there (Move), and hand the
// record back to automation (Auto). It works from the DNS provider, the two
// checks and the peers' unsigned GET /status alone, so it runs from an
// operator's laptop while the cloud hosting the vantage points is down.
//
// The command line and the Lambda form of functions/failover are thin
// wrappers: both call Status, Move and Auto; the Lambda form goes through
// Invoke, which reads the invoke payload.
package manual

import (
	"context"
	"errors"
	"github.com/switchyard-dns/switchyard/dnsfailover/notify"
	"log/slog"
	"net/http"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/peers"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/topology"
)

// DefaultPeerTimeout bounds one GET <peer>/status when Options.PeerTimeout is 0.
const DefaultPeerTimeout = 4 * time.Second

// Options wire a Manual. DNS, Primary, Standby and both targets are required.
type Options struct {
	DNS           dns.Provider
	Primary       probe.Func
	Standby       probe.Func
	PrimaryTarget string
	StandbyTarget string
	// Peers are the vantage points whose GET /status Status shows. Self is
	// the configuration's own vantage id (SWITCHYARD_VANTAGE), shown as a
	// row without a URL when it is not among Peers; "" for none.
	Peers    []peers.Peer
	Self     string
	Failback string // manual or auto, shown in Status
	// MinDwell is SWITCHYARD_MIN_DWELL, from which Status tells the dwell
	// in force (longer after flapping, see failover.Policy.Dwell).
	MinDwell time.Duration
	// Topology returns the configured topology's verdict, shown in Status;
	// nil (or returning nil) when no vantage points are configured. It is
	// called when asked for (Status, Topology), so a cold start of the
	// failover function does not search for the smallest fix.
	Topology    func() *topology.Analysis
	PeerHTTP    *http.Client
	PeerTimeout time.Duration
	// Notify tells people of every move, pin and hand-back (nil: nobody).
	Notify *notify.Notifier
	Log    *slog.Logger
	Now    func() time.Time
}

// Manual runs manual operations on one switched record.
type Manual struct {
	o Options
}

// New returns a Manual; it does no I/O.
func New(o Options) *Manual {
	if o.PeerHTTP == nil {
		// A redirect would take us to a server nobody configured.
		o.PeerHTTP = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if o.PeerTimeout <= 0 {
		o.PeerTimeout = DefaultPeerTimeout
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Manual{o: o}
}

// Topology is the configured topology's verdict (Options.Topology), nil
// when none was given.
func (m *Manual) Topology() *topology.Analysis {
	if m.o.Topology == nil {
		return nil
	}
	return m.o.Topology()
}

// target returns the record content for side.
func (m *Manual) target(side state.Side) string {
	if side == state.Standby {
		return m.o.StandbyTarget
	}
	return m.o.PrimaryTarget
}

// check runs the health check of side now.
func (m *Manual) check(ctx context.Context, side state.Side) probe.Result {
	if side == state.Standby {
		return m.o.Standby(ctx)
	}
	return m.o.Primary(ctx)
}

// read reads the record and works out which side it is on. problem is set,
// and side empty, when switchyard automation would refuse to touch the
// record: it points at neither target, or its state disagrees with it.
func (m *Manual) read(ctx context.Context) (snap dns.Snapshot, cur state.State, problem string, err error) {
	snap, err = m.o.DNS.Read(ctx)
	var bad *dns.BadStateError
	if errors.As(err, &bad) {
		// Nothing can say which side the state is on; only a forced move
		// (which overwrites the TXT) may go ahead.
		return snap, state.State{Gen: snap.State.Gen}, bad.Error(), nil
	}
	if err != nil {
		return dns.Snapshot{}, state.State{}, "", dnsError("read the record", err)
	}
	cur, err = snap.Current(m.o.PrimaryTarget, m.o.StandbyTarget)
	var unmanaged *dns.UnmanagedError
	if errors.As(err, &unmanaged) {
		return snap, cur, unmanaged.Why, nil
	}
	return snap, cur, "", err
}
