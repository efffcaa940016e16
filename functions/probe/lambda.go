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

// schedulePeriod is how often template.yaml's schedule (rate(1 minute))
// starts a run, and handOver how long after the next run is due this one
// may still start a regular round: the next run may start up to that late
// and the region still probes every interval. Both with the Timeout of 90 s.
const (
	schedulePeriod = time.Minute
	handOver       = 20 * time.Second
)

// lastRegular is the time from which a run started at start begins no more
// regular rounds: the next run has taken over by then. When the interval is
// the schedule's period or longer, the schedule is the interval and each
// run makes one round.
func lastRegular(start time.Time, interval time.Duration) time.Time {
	if interval >= schedulePeriod {
		return start
	}
	return start.Add(schedulePeriod + handOver)
}

// runLambda is the Lambda form. Everything is built once per cold start
// and kept for the life of the execution environment: the vantage point's
// history and write back-off therefore span invocations served by the same
// environment. Scheduled runs last longer than the schedule's minute (see
// the Timeout in template.yaml), so the next run starts, in another
// environment, while this one still probes: no minute has a window without
// probes. An environment's history older than three intervals is dropped at
// its next run (vantage.Options.ForgetAfter): streaks never join across a gap.
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
		interval: cfg.Interval, margin: cfg.ProbeTimeout + cfg.PeerTimeout + roundMargin(cfg.Interval)}
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
	rounds := f.v.RunUntil(ctx, f.interval, f.margin, lastRegular(time.Now(), f.interval))
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
