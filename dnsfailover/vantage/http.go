package vantage

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/peers"
)

// HandlerOptions configures the vantage point's HTTP surface.
type HandlerOptions struct {
	Secrets [][]byte // peer HMAC keys; the first is current, more are accepted while rotating
	Skew    time.Duration
	Log     *slog.Logger
}

// Handler serves POST /observe (signed peer requests), GET /status (the last
// round and the count of refused peer requests by reason, as JSON; it holds
// no secret) and GET /healthz.
func (v *Vantage) Handler(o HandlerOptions) (http.Handler, error) {
	observe, err := peers.NewHandler(peers.HandlerOptions{
		Self:    v.o.ID,
		Secrets: o.Secrets,
		Skew:    o.Skew,
		Observe: v.Observe,
		Log:     o.Log,
		Now:     v.o.Now,
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(peers.Path, observe)
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		last := v.Last()
		last.RejectedPeerRequests = observe.Rejected()
		last.Notify = v.o.Notify.Stats()
		last.History = v.History()
		_ = enc.Encode(last)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux, nil
}
