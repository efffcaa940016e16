package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/peers"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/functions/internal/lambdaform"
	"github.com/switchyard-dns/switchyard/functions/internal/metrics"
)

// roundMargin is what a scheduled invocation keeps free before its
// deadline beyond one probe timeout and one peer timeout: room for the DNS
// read, write and read-back of a switch, so no round is cut off mid-way.
// At most one interval, the time README's bound allows one API write.
func roundMargin(interval time.Duration) time.Duration { return min(5*time.Second, interval) }

// lastRegular is the time from which a run started at start begins no more
// regular rounds. The next run is due period after start (template.yaml's
// schedule, SWITCHYARD_LAMBDA_SCHEDULE); this one goes on until handOver
// after that (SWITCHYARD_LAMBDA_HANDOVER), so its last regular round is the
// last one due before start+period+handOver and the next run may start up
// to handOver late with the region's checks still at most one interval
// apart. At the defaults (1 min, 10 s, interval 10 s) the rounds are at
// 0…60 s: the run ends about a round's time after the next is due, so runs
// overlap by one round, not by two (the 20 s hand-over before: rounds at
// 0…70 s, ~71 s billed per minute, ~61 s now). A later next run leaves a
// gap of interval plus its lateness beyond handOver; it never leaves the
// region without a vantage point for longer. When the interval is the
// schedule's period or longer, the schedule is the interval and each run
// makes one round.
func lastRegular(start time.Time, interval, period, handOver time.Duration) time.Time {
	if interval >= period {
		return start
	}
	return start.Add(period + handOver)
}

// runLambda is the Lambda form. Everything is built once per cold start
// and kept for the life of the execution environment: the vantage point's
// history and write back-off therefore span invocations served by the same
// environment. A scheduled run lasts one round past the schedule's minute
// (lastRegular), so the next run starts while this one makes its last
// round: no minute has a window without probes. The next run usually finds
// this environment idle again and keeps its history; one that lands in
// another environment finds history older than three intervals there and
// drops it (vantage.Options.ForgetAfter): streaks never join across a gap.
func runLambda(stdout, stderr io.Writer) int {
	log, inv := lambdaform.NewLogger(stderr, slog.LevelInfo)
	if err := lambdaform.ResolveSecrets(context.Background(), log); err != nil {
		log.Error("resolve secrets", "error", err)
		return 2
	}
	cfg, err := config.Load()
	if err != nil {
		log.Error("configuration", "error", err)
		return 2
	}
	emf := metrics.New(stdout, cfg.Record, cfg.Vantage)
	v, err := assemble.Vantage(cfg, assemble.Deps{Log: log, Events: emf.Event})
	if err != nil {
		log.Error("assemble", "error", err)
		return 2
	}
	h, err := assemble.Handler(v, cfg, log)
	if err != nil {
		log.Error("handler", "error", err)
		return 2
	}
	f := &function{v: v, h: h, log: log, inv: inv, emf: emf,
		interval: cfg.Interval, margin: cfg.ProbeTimeout + cfg.PeerTimeout + roundMargin(cfg.Interval),
		period: cfg.LambdaPeriod(), handOver: cfg.LambdaHandover}
	log.Info("cold start", "vantage", cfg.Vantage, "interval", cfg.Interval.String(), "peers", len(cfg.Peers))
	cfg.TopologyVerdict().Log(log)
	lambda.Start(f.invoke)
	return 0
}

// function is the probe's Lambda handler.
type function struct {
	v        *vantage.Vantage
	h        http.Handler
	log      *slog.Logger
	inv      *lambdaform.Invocation
	interval time.Duration
	margin   time.Duration
	period   time.Duration // SWITCHYARD_LAMBDA_SCHEDULE
	handOver time.Duration // SWITCHYARD_LAMBDA_HANDOVER
	emf      *metrics.EMF
}

// UnknownEventError is returned for an event that is neither a schedule
// nor a Function URL request; its name is the Lambda errorType.
type UnknownEventError struct{ Head string }

func (e UnknownEventError) Error() string {
	return "probe: event is neither a scheduled EventBridge event nor a Function URL request: " + e.Head
}

// ScheduledResult is what a scheduled invocation returns (and logs).
type ScheduledResult struct {
	Rounds   int      `json:"rounds"`
	Switched bool     `json:"switched"`
	Active   string   `json:"active,omitempty"`
	Primary  bool     `json:"primary_ok"`
	Errors   []string `json:"errors,omitempty"`
}

func (f *function) invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	f.inv.Begin(ctx)
	defer f.inv.End()
	switch lambdaform.ShapeOf(raw) {
	case lambdaform.Scheduled:
		return f.scheduled(ctx), nil
	case lambdaform.FunctionURL:
		var e events.LambdaFunctionURLRequest
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("probe: decode Function URL event: %w", err)
		}
		resp := lambdaform.ServeFunctionURL(ctx, f.h, e)
		f.log.Info("request", "method", e.RequestContext.HTTP.Method, "path", e.RawPath,
			"status", resp.StatusCode, "source_ip", e.RequestContext.HTTP.SourceIP)
		if e.RawPath == peers.Path && resp.StatusCode >= 400 {
			f.emf.Rejected(resp.StatusCode, time.Now())
		}
		return resp, nil
	}
	head := string(raw)
	if len(head) > 80 {
		head = head[:80] + "…"
	}
	f.log.Error("unknown event", "head", head)
	return nil, UnknownEventError{Head: head}
}

// scheduled runs rounds every interval until the margin before the
// deadline: sub-minute probing from a once-a-minute schedule.
func (f *function) scheduled(ctx context.Context) ScheduledResult {
	until := lastRegular(time.Now(), f.interval, f.period, f.handOver)
	if deadline, ok := ctx.Deadline(); ok && f.interval < f.period && deadline.Add(-f.margin).Before(until.Add(-f.interval)) {
		// The deadline, not the hand-over, ends this run's regular rounds:
		// the region goes unprobed until the next run starts.
		f.log.Warn("the function's timeout ends regular rounds before the next scheduled run is due; raise the Timeout to SWITCHYARD_LAMBDA_SCHEDULE + SWITCHYARD_LAMBDA_HANDOVER + PROBE_TIMEOUT + PEER_TIMEOUT + 5 s or more",
			"timeout_left", time.Until(deadline).Round(time.Second).String(), "needed", (time.Until(until) + f.margin).Round(time.Second).String())
	}
	rounds := f.v.RunUntil(ctx, f.interval, f.margin, until)
	res := ScheduledResult{Rounds: len(rounds)}
	for _, r := range rounds {
		res.Switched = res.Switched || r.Switched
		if r.Error != "" {
			res.Errors = append(res.Errors, r.Error)
		}
	}
	if n := len(rounds); n > 0 {
		res.Active, res.Primary = string(rounds[n-1].Active), rounds[n-1].Primary.OK
	}
	f.log.Info("scheduled invocation", "rounds", res.Rounds, "switched", res.Switched,
		"active", res.Active, "primary_ok", res.Primary, "errors", len(res.Errors))
	// A frozen execution environment delivers nothing: give queued
	// notifications part of the margin kept before the deadline. What is
	// still queued (a receiver retrying) goes on at the next invocation.
	fctx, cancel := context.WithTimeout(ctx, f.margin/2)
	defer cancel()
	if err := f.v.Notifier().Flush(fctx); err != nil {
		f.log.Warn("notifications still queued at the end of the invocation; delivery resumes with the next one")
	}
	return res
}

// inLambda reports whether the process was started by the Lambda runtime.
func inLambda() bool { return os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" }
