package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/drill"
	"github.com/switchyard-dns/switchyard/dnsfailover/manual"
	"github.com/switchyard-dns/switchyard/functions/internal/metrics"
)

const drillUsage = `usage: failover [--env-file FILE] drill [--json] [--dry-run] [--html PATH] [--by NAME]

Rehearses a failover on SWITCHYARD_DRILL_RECORD (never on SWITCHYARD_RECORD):
probes both origins, asks every vantage point (SWITCHYARD_PEERS, signed with
SWITCHYARD_SECRET), switches the drill record to the standby and back through
the DNS provider, waits for SWITCHYARD_DRILL_RESOLVER to answer each target,
and compares the standby's objects with the primary's (SWITCHYARD_PARITY_KEYS).
Every step is timed.

  --dry-run     look at the real record instead and write nothing: what a
                failover would do now, and whether the quorum can be reached
  --json        print the report as JSON
  --html PATH   also write the report as a self-contained HTML timeline
  --by NAME     who runs it, stored in the drill record's state (default: login)

exit status: 0 passed, 1 a step failed, 2 bad input or configuration.
`

// isDrill reports whether the command in args is drill. Flags that take a
// value may come before the command.
func isDrill(args []string) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--env-file" || a == "-env-file" || a == "--reason" || a == "-reason" || a == "--by" || a == "-by" || a == "--html" || a == "-html":
			i++
		case strings.HasPrefix(a, "-"):
		default:
			return a == "drill"
		}
	}
	return false
}

// runDrill is `failover drill`.
func runDrill(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("failover drill", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	envFile := fs.String("env-file", "", "")
	asJSON := fs.Bool("json", false, "")
	dryRun := fs.Bool("dry-run", false, "")
	htmlPath := fs.String("html", "", "")
	by := fs.String("by", loginName(), "")
	err := fs.Parse(args)
	if err == nil && fs.NArg() > 0 { // the command, then its flags
		err = fs.Parse(fs.Args()[1:])
	}
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, drillUsage)
		return exitDone
	}
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q after drill", fs.Arg(0))
	}
	if err != nil {
		fmt.Fprintf(stderr, "failover: %v\nrun failover drill --help for usage\n", err)
		return exitInput
	}
	if *envFile != "" {
		if err := config.ApplyEnvFile(*envFile); err != nil {
			fmt.Fprintf(stderr, "failover: --env-file: %v\n", err)
			return exitInput
		}
	}
	cfg, err := config.LoadOperator()
	if err != nil {
		fmt.Fprintf(stderr, "failover: configuration:\n%v\n", err)
		return exitInput
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	rep, err := drill.Run(ctx, drill.Options{Config: cfg, DryRun: *dryRun, By: *by, Deps: assemble.Deps{Log: log}})
	if err != nil {
		fmt.Fprintf(stderr, "failover: %v\n", err)
		return exitInput
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	} else {
		_ = rep.WriteText(stdout)
	}
	if *htmlPath != "" {
		if err := writeTimeline(*htmlPath, rep); err != nil {
			fmt.Fprintf(stderr, "failover: --html: %v\n", err)
			return exitRefused
		}
	}
	if !rep.Passed {
		return exitRefused
	}
	return exitDone
}

func writeTimeline(path string, rep drill.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := rep.Timeline().WriteHTML(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// DrillFailedError is the Lambda errorType of a drill with a failed step,
// so a scheduled drill that fails is a failed invocation (and the
// DrillFailures metric says so too).
type DrillFailedError struct{ Reason string }

func (e *DrillFailedError) Error() string { return "drill failed: " + e.Reason }

// withDrill adds the "drill" action to the Lambda form:
// {"action":"drill","dry_run":false,"by":"schedule"}; every other action
// goes to Manual.Invoke as before.
func withDrill(m *manual.Manual, log *slog.Logger, emf io.Writer) func(context.Context, manual.Request) (any, error) {
	return func(ctx context.Context, req manual.Request) (any, error) {
		if req.Action != "drill" {
			return m.Invoke(ctx, req)
		}
		if req.Force || req.Reason != "" {
			return nil, &manual.InputError{Msg: "bad payload: drill takes no reason or force"}
		}
		cfg, err := config.LoadOperator()
		if err != nil {
			return nil, &manual.InputError{Msg: err.Error()}
		}
		by := req.By
		if by == "" {
			by = "lambda"
		}
		rep, err := drill.Run(ctx, drill.Options{Config: cfg, DryRun: req.DryRun, By: by, Deps: assemble.Deps{Log: log}})
		if err != nil {
			return nil, &manual.InputError{Msg: err.Error()}
		}
		if doc, err := metrics.DrillDocument(cfg.Record, rep.Passed, rep.Duration, rep.Started); err == nil {
			_, _ = emf.Write(doc)
		}
		log.Info("drill", "passed", rep.Passed, "ms", rep.MS, "report", rep)
		if !rep.Passed {
			return nil, &DrillFailedError{Reason: rep.Reason}
		}
		return rep, nil
	}
}
