package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/functions/internal/azureform"
)

// Names in infra/azure: the timer function's folder (the path the host
// POSTs its invocations to) and its binding.
const (
	azureRoundFunction = "round"
	azureTimerBinding  = "timer"
)

// runAzure is the Azure Functions form: a custom handler the Functions
// host starts once per instance. Everything is built once and kept for
// the life of the instance, so the streaks span the timer's invocations
// (one round every 10 s, `*/10 * * * * *`); a new instance starts them
// afresh, and so does a gap of more than three intervals (ForgetAfter).
// Secrets arrive resolved: app settings that are Key Vault references are
// replaced by their values before the process starts.
func runAzure(stderr io.Writer) int {
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	if names := azureform.UnresolvedReferences(os.Environ()); len(names) > 0 {
		log.Error("configuration", "error", "Key Vault reference not resolved for "+strings.Join(names, ", ")+
			": give the function app's managed identity the Key Vault Secrets User role on the secret and check the SecretUri")
		return 2
	}
	port, _, err := azureform.Port(os.LookupEnv)
	if err != nil {
		log.Error("configuration", "error", err.Error())
		return 2
	}
	cfg, err := config.Load()
	if err != nil {
		log.Error("configuration", "error", err.Error())
		return 2
	}
	v, err := assemble.Vantage(cfg, assemble.Deps{Log: log})
	if err != nil {
		log.Error("assemble", "error", err.Error())
		return 2
	}
	h, err := assemble.Handler(v, cfg, log)
	if err != nil {
		log.Error("handler", "error", err.Error())
		return 2
	}
	// Loopback only: the host is the one caller; the public surface is
	// the host's HTTP triggers (function.json), which proxy here.
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		log.Error("listen", "error", err.Error())
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := &azureFunction{v: v, log: log}
	fns := map[string]azureform.Func{azureRoundFunction: f.round}
	log.Info("custom handler ready", "addr", ln.Addr().String(), "vantage", cfg.Vantage,
		"interval", cfg.Interval.String(), "peers", len(cfg.Peers))
	cfg.TopologyVerdict().Log(log)
	// A round waits for one check, the peers' votes and a DNS write.
	if err := serveHTTP(ctx, ln, azureform.Handler(fns, h), cfg.ProbeTimeout+cfg.PeerTimeout+roundMargin(cfg.Interval)+10*time.Second); err != nil {
		log.Error("serve", "error", err.Error())
		return 1
	}
	return 0
}

// inAzure reports whether the Azure Functions host started the process
// as its custom handler.
func inAzure() bool {
	_, ok := os.LookupEnv(azureform.PortVariable)
	return ok
}

// azureFunction is the probe's custom handler.
type azureFunction struct {
	v   *vantage.Vantage
	log *slog.Logger
}

// RoundResult is the timer invocation's ReturnValue (logged by the host).
type RoundResult struct {
	Vantage  string `json:"vantage"`
	Active   string `json:"active,omitempty"`
	Primary  bool   `json:"primary_ok"`
	Standby  bool   `json:"standby_ok"`
	Decision string `json:"decision,omitempty"`
	// Down and Up are the votes of a round that asked the peers.
	Down     int    `json:"down_votes,omitempty"`
	Up       int    `json:"up_votes,omitempty"`
	Switched bool   `json:"switched"`
	Error    string `json:"error,omitempty"`
	PastDue  bool   `json:"past_due,omitempty"`
}

// round runs one round per timer invocation. A round that could not read
// or write DNS is still a completed invocation: the error is data in the
// result, as in the Lambda form, and the next tick tries again.
func (f *azureFunction) round(ctx context.Context, inv azureform.Invocation) (azureform.Response, error) {
	timer, err := inv.Timer(azureTimerBinding)
	if err != nil {
		return azureform.Response{}, err
	}
	r := f.v.RunRound(ctx)
	res := RoundResult{Vantage: r.Vantage, Active: string(r.Active), Primary: r.Primary.OK, Standby: r.Standby.OK,
		Decision: string(r.Decision.Action), Switched: r.Switched, Error: r.Error, PastDue: timer.IsPastDue}
	if r.Verdict != nil {
		res.Down, res.Up = r.Verdict.Down, r.Verdict.Up
	}
	f.log.Info("timer invocation", "invocationId", inv.ID, "active", res.Active, "primary_ok", res.Primary,
		"decision", res.Decision, "switched", res.Switched, "error", res.Error, "past_due", res.PastDue)
	line := fmt.Sprintf("round: primary_ok=%t standby_ok=%t active=%s decision=%s switched=%t",
		res.Primary, res.Standby, res.Active, res.Decision, res.Switched)
	if res.Error != "" {
		line += " error=" + res.Error
	}
	return azureform.Response{Logs: []string{line}, ReturnValue: res}, nil
}
