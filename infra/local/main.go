// Command local runs switchyard's local world: two S3-compatible origins, a
// Cloudflare-compatible DNS API that also answers real DNS queries, and five
// vantage points on three providers running the real probe code. It plays a
// failure scenario and prints a timeline, or with --serve keeps the world up
// for the other tools (dig, scripts/failover, probe).
//
//	go run ./infra/local [--scenario NAME] [--json] [--interval D] [--html PATH]
//	go run ./infra/local --serve [--env-file PATH]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/nameserver"
	"github.com/switchyard-dns/switchyard/infra/local/scenario"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("scenario", "primary-outage", "scenario to play (see --list)")
	asJSON := fs.Bool("json", false, "print one JSON object per event instead of a timeline")
	serve := fs.Bool("serve", false, "keep the world up until interrupted instead of playing a scenario")
	envFile := fs.String("env-file", ".switchyard-local.env", "with --serve: where to write the env file for the other tools")
	interval := fs.Duration("interval", 500*time.Millisecond, "probe interval of every vantage point")
	failback := fs.String("failback", "", "with --serve: manual or auto (default manual)")
	list := fs.Bool("list", false, "list the scenarios and exit")
	verbose := fs.Bool("v", false, "also print the vantage points' JSON logs to stderr")
	htmlPath := fs.String("html", "", "also write the scenario as a self-contained HTML timeline to this file")
	dnsProvider := fs.String("dns", world.DNSCloudflare, "DNS provider the vantage points write: "+strings.Join(world.DNSProviders, ", ")+
		", or several at once, comma-separated, e.g. cloudflare,rfc2136 (rfc2136 runs a real BIND or Knot, see --nameserver)")
	nameServer := fs.String("nameserver", string(nameserver.BIND), "with --dns rfc2136: bind or knot")
	group := fs.Bool("group", false, "switch img. (CNAME) and cdn. (A) with the record as one failover group (SWITCHYARD_GROUP), whatever the scenario; the scenario primary-outage-group sets it")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./infra/local [--dns cloudflare|route53|rfc2136[,...]] [--group] [--scenario NAME] [--json] [--interval D] | --serve [--env-file PATH] | --list")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "local: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *list {
		for _, s := range scenario.All {
			fmt.Fprintf(stdout, "%-16s %s\n", s.Name, s.About)
		}
		return 0
	}
	if *interval < 50*time.Millisecond {
		fmt.Fprintf(stderr, "local: --interval %s is too short; expected at least 50ms\n", *interval)
		return 2
	}
	if err := world.CheckDNS(*dnsProvider); err != nil {
		fmt.Fprintf(stderr, "local: --dns %v\n", err)
		return 2
	}
	kind := nameserver.Kind(*nameServer)
	if !slices.Contains(nameserver.Kinds, kind) {
		fmt.Fprintf(stderr, "local: --nameserver %q: expected bind or knot\n", *nameServer)
		return 2
	}
	if *dnsProvider == world.DNSRFC2136 {
		if _, err := kind.Look(); err != nil {
			fmt.Fprintf(stderr, "local: --dns rfc2136: %v\n", err)
			return 2
		}
	}
	opts := world.Options{Interval: *interval, Failback: *failback, DNS: *dnsProvider, NameServer: kind, Group: *group}
	if *verbose {
		opts.Log = slog.New(slog.NewJSONHandler(stderr, nil))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *serve {
		return serveWorld(ctx, opts, *envFile, *asJSON, stdout, stderr)
	}
	sc, err := scenario.Find(*name)
	if err != nil {
		fmt.Fprintf(stderr, "local: --scenario: %v\n", err)
		return 2
	}
	tl := newTimeline(stdout, *asJSON)
	rec := scenario.NewRecorder(tl.print)
	tl.header(sc)
	out := scenario.Play(ctx, sc, opts, rec)
	tl.footer(out)
	if *htmlPath != "" {
		if err := writeHTML(*htmlPath, sc, rec.Events(), out); err != nil {
			fmt.Fprintf(stderr, "local: --html: %v\n", err)
			return 1
		}
	}
	if out.Err != nil {
		return 1
	}
	return 0
}

// timeline prints world events for a person, or as JSON lines.
type timeline struct {
	w      io.Writer
	json   bool
	start  time.Time
	faultT time.Time
}

func newTimeline(w io.Writer, asJSON bool) *timeline {
	return &timeline{w: w, json: asJSON, start: time.Now()}
}

func (t *timeline) header(sc scenario.Scenario) {
	if t.json {
		t.emit(map[string]any{"event": "scenario", "scenario": sc.Name, "about": sc.About})
		return
	}
	fmt.Fprintf(t.w, "scenario %s: %s\n\n", sc.Name, sc.About)
}

func (t *timeline) print(e world.Event) {
	if e.Kind == vantage.EventRound {
		return
	}
	if e.Kind == world.EventFault {
		t.faultT = e.At
	}
	rel := e.At.Sub(t.start)
	var elapsed time.Duration
	if !t.faultT.IsZero() {
		elapsed = e.At.Sub(t.faultT)
	}
	if t.json {
		m := map[string]any{"event": string(e.Kind), "t_ms": rel.Milliseconds()}
		if e.Vantage != "" {
			m["vantage"] = e.Vantage
		}
		if e.To != "" {
			m["to"] = string(e.To)
		}
		if e.Target != "" {
			m["target"] = e.Target
		}
		if e.Generation != 0 {
			m["generation"] = e.Generation
		}
		if e.Reason != "" {
			m["reason"] = e.Reason
		}
		if e.Answer != "" {
			m["answer"] = e.Answer
		}
		if (e.Kind == vantage.EventSwitched || e.Kind == world.EventDNSChanged) && !t.faultT.IsZero() {
			m["elapsed_ms"] = elapsed.Milliseconds()
		}
		t.emit(m)
		return
	}
	who := e.Vantage
	if who == "" {
		who = "world"
	}
	line := fmt.Sprintf("%8.3fs  %-17s %-11s", rel.Seconds(), who, e.Kind)
	switch e.Kind {
	case vantage.EventSwitched:
		line += fmt.Sprintf(" → %s (%s) gen=%d  +%dms after the fault: %s", e.To, e.Target, e.Generation, elapsed.Milliseconds(), e.Reason)
	case world.EventDNSChanged:
		line += fmt.Sprintf(" dig answers %s  (+%dms after the fault)", e.Answer, elapsed.Milliseconds())
	default:
		line += " " + e.Reason
	}
	fmt.Fprintln(t.w, line)
}

func (t *timeline) footer(o scenario.Outcome) {
	if t.json {
		m := map[string]any{"event": "result", "scenario": o.Scenario, "passed": o.Err == nil, "bound_ms": o.Bound.Milliseconds()}
		if o.Err != nil {
			m["error"] = o.Err.Error()
		}
		t.emit(m)
		return
	}
	fmt.Fprintln(t.w)
	if o.Err != nil {
		fmt.Fprintf(t.w, "FAIL %s: %v\n", o.Scenario, o.Err)
		return
	}
	fmt.Fprintf(t.w, "PASS %s", o.Scenario)
	for _, d := range o.Elapsed {
		fmt.Fprintf(t.w, "  (fault → DNS answer changed in %dms; bound %dms)", d.Milliseconds(), o.Bound.Milliseconds())
	}
	fmt.Fprintln(t.w)
}

func (t *timeline) emit(m map[string]any) {
	b, _ := json.Marshal(m)
	fmt.Fprintln(t.w, string(b))
}
