package assemble

import (
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/statuspage"
	"log/slog"
	"net/http"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/manual"
	"github.com/switchyard-dns/switchyard/dnsfailover/peers"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
)

// Peers are c's other vantage points as the peer client addresses them.
func Peers(c config.Config) []peers.Peer {
	var ps []peers.Peer
	for _, p := range c.Peers {
		ps = append(ps, peers.Peer{ID: p.ID, URL: p.URL})
	}
	return ps
}

// PeerClient is the signed client with which self asks c's peers for fresh
// observations: a vantage point on suspicion, the drill for its quorum round.
func PeerClient(c config.Config, self string, d Deps) *peers.Client {
	httpc := d.PeerHTTP
	if httpc == nil {
		httpc = &http.Client{}
	}
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	return &peers.Client{
		Self: self, Secret: []byte(c.Secret.Reveal()), HTTP: httpc,
		Timeout: c.PeerTimeout, Skew: c.ClockSkew, Log: log.With("vantage", self), Now: d.Now,
	}
}

// Handler is v's HTTP surface (POST /observe checked with c's peer keys,
// GET /status), the same for every form that serves it: probe serve, the
// Lambda and Azure forms, the local world.
//
// GET / is the live status page (dnsfailover/statuspage).
func Handler(v *vantage.Vantage, c config.Config, log *slog.Logger) (http.Handler, error) {
	h, err := v.Handler(vantage.HandlerOptions{Secrets: c.PeerSecrets(), Skew: c.ClockSkew, Log: log})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", statuspage.Handler(statuspage.Options{
		Self: v, Peers: Peers(c), Topology: c.LazyTopology(), Record: c.Record,
		Timeout: min(2*time.Second, c.PeerTimeout), Refresh: max(c.Interval, 5*time.Second),
	}))
	mux.Handle("/", h)
	return mux, nil
}

// Manual is the operator's control of c's record: status, move and pin,
// hand back to automation. c may be an operator's configuration
// (config.LoadOperator): no vantage id or peer secret needed.
func Manual(c config.Config, d Deps) (*manual.Manual, error) {
	primary, standby, err := Probes(c, d)
	if err != nil {
		return nil, err
	}
	// An operator's status only reads: with several DNS providers, the
	// vantage points repair one that is behind, not `failover status`.
	d.NoRepair = true
	provider, err := Provider(c, d)
	if err != nil {
		return nil, err
	}
	return manual.New(manual.Options{
		DNS: provider, Primary: primary, Standby: standby,
		PrimaryTarget: c.PrimaryTarget, StandbyTarget: c.StandbyTarget,
		Peers: Peers(c), Self: c.Vantage, Failback: c.Failback, MinDwell: c.MinDwell,
		Topology: c.LazyTopology(), PeerTimeout: c.PeerTimeout, Log: d.Log,
		Notify: Notifier(c, d),
	}), nil
}
