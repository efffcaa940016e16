package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"os/user"
	"strings"
	"syscall"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/manual"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// Exit codes, as scripts/failover documents them.
const (
	exitDone    = 0 // done, or nothing to do
	exitRefused = 1 // refused, not confirmed, or the DNS provider failed: nothing changed
	exitInput   = 2 // bad input or configuration: nothing changed
)

const usage = `usage: failover [--env-file FILE] COMMAND [flags]

commands:
  status                 the record, its state, both targets' health now and
                         every vantage point's latest view
  standby | primary      point the record at that target and pin it there, so
                         automation leaves it alone; refused when the target's
                         health check fails right now, unless --force
  auto                   clear the pin (or end a hold): automation is in control again
  hold --for DURATION    pin the record where it is for a maintenance window,
                         e.g. --for 2h; automation resumes by itself after it
  drill                  rehearse a failover on SWITCHYARD_DRILL_RECORD, timed
                         (failover drill --help)

flags:
  --env-file FILE   read KEY=value lines into the environment first (variables
                    already set win)
  --reason TEXT     why, stored in the state TXT (standby, primary, auto, hold)
  --for DURATION    how long a hold lasts (hold only), at most 168h
  --force           move even to a target whose check fails
  --dry-run         show the change and make none
  --yes             do not ask for confirmation (needed when stdin is not a person)
  --by NAME         who is acting, stored as by=manual:NAME (default: the login name)
  --json            print the result as JSON

exit status: 0 done (or nothing to change), 1 refused, not confirmed or the DNS
provider failed (nothing changed), 2 bad input or configuration (nothing changed).

Only the record, target, check and DNS variables are required; SWITCHYARD_PEERS
(optional) names the vantage points whose GET /status is shown.

environment:
`

type options struct {
	action                    string
	envFile, reason, by       string
	force, dryRun, yes, asJSN bool
	holdFor                   time.Duration
}

func runCLI(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if isDrill(args) {
		return runDrill(args, stdout, stderr)
	}
	o, err := parseArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		_ = config.WriteUsageText(stdout)
		return exitDone
	}
	if err != nil {
		fmt.Fprintf(stderr, "failover: %v\nrun failover --help for usage\n", err)
		return exitInput
	}
	if o.envFile != "" {
		if err := config.ApplyEnvFile(o.envFile); err != nil {
			fmt.Fprintf(stderr, "failover: --env-file: %v\n", err)
			return exitInput
		}
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	m, _, err := build(log)
	if err != nil {
		fmt.Fprintf(stderr, "failover: configuration:\n%v\n", err)
		return exitInput
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	mo := manual.MoveOptions{Reason: o.reason, Force: o.force, DryRun: o.dryRun, By: o.by}
	asked := false
	if !o.yes {
		ask := confirm(stdin, stdout, stderr, o.asJSN)
		mo.Confirm = func(plan manual.Result) error { asked = true; return ask(plan) }
	}
	var res manual.Result
	switch o.action {
	case "status":
		res, err = m.StatusResult(ctx)
	case "auto":
		res, err = m.Auto(ctx, mo)
	case "hold":
		res, err = m.Hold(ctx, o.holdFor, mo)
	default:
		res, err = m.Move(ctx, state.Side(o.action), mo)
	}
	if res.Record != "" && (err == nil || !asked) { // a plan that was asked about is on screen already
		show(stdout, res, o.asJSN)
	}
	if err != nil {
		fmt.Fprintf(stderr, "failover: %v\n", err)
	}
	return exitCode(err)
}

// parseArgs accepts flags before and after the command.
func parseArgs(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("failover", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.envFile, "env-file", "", "")
	fs.StringVar(&o.reason, "reason", "", "")
	fs.StringVar(&o.by, "by", loginName(), "")
	fs.BoolVar(&o.force, "force", false, "")
	fs.BoolVar(&o.dryRun, "dry-run", false, "")
	fs.BoolVar(&o.yes, "yes", false, "")
	fs.BoolVar(&o.asJSN, "json", false, "")
	fs.DurationVar(&o.holdFor, "for", 0, "")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() == 0 {
		return o, errors.New("no command: want status, standby, primary, auto or hold")
	}
	o.action = fs.Arg(0)
	if o.action == "help" {
		return o, flag.ErrHelp
	}
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q after %s (quote a reason with spaces)", fs.Arg(0), o.action)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch o.action {
	case "status":
		for _, f := range []string{"reason", "force", "dry-run", "yes", "by"} {
			if set[f] {
				return o, fmt.Errorf("status takes no --%s", f)
			}
		}
	case "auto":
		if set["force"] {
			return o, errors.New("auto takes no --force: handing back to automation needs no health check")
		}
	case "hold":
		if !set["for"] {
			return o, errors.New("hold needs --for DURATION, e.g. --for 2h")
		}
		if set["force"] {
			return o, errors.New("hold takes no --force: the record stays where it is")
		}
	case "standby", "primary":
	default:
		return o, fmt.Errorf("unknown command %q: want status, standby, primary, auto or hold", o.action)
	}
	return o, nil
}

// loginName is who runs the command, for by=manual:<name>.
func loginName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

// confirm shows the planned change and asks on stdin. No answer at all (no
// terminal, stdin closed) is bad input: a script must say --yes.
func confirm(stdin io.Reader, stdout, stderr io.Writer, asJSON bool) func(manual.Result) error {
	return func(plan manual.Result) error {
		show(stdout, plan, asJSON)
		fmt.Fprint(stderr, "go ahead? [y/N] ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		answer := strings.ToLower(strings.TrimSpace(line))
		switch {
		case answer == "y" || answer == "yes":
			return nil
		case err != nil && answer == "":
			fmt.Fprintln(stderr)
			return &manual.InputError{Msg: "no answer on stdin: pass --yes to go ahead without asking; nothing changed"}
		}
		return &manual.DeclinedError{Why: fmt.Sprintf("answered %q", answer)}
	}
}

func show(w io.Writer, r manual.Result, asJSON bool) {
	if !asJSON {
		_ = r.WriteText(w)
		return
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if r.Status != nil {
		_ = enc.Encode(r.Status)
		return
	}
	_ = enc.Encode(r)
}

func exitCode(err error) int {
	var (
		input    *manual.InputError
		rejected *manual.DNSRejectedError
	)
	switch {
	case err == nil:
		return exitDone
	case errors.As(err, &input), errors.As(err, &rejected):
		return exitInput
	default:
		return exitRefused
	}
}
