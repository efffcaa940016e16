// Package drill rehearses a failover end to end without touching
// production traffic. On a drill record (SWITCHYARD_DRILL_RECORD, e.g.
// _drill.assets.example.com, pointing at the primary target) it probes both
// origins, runs a quorum round with every peer, switches the drill record
// to the standby and back through the same DNS provider code a real
// failover uses, waits for an authoritative DNS server to answer each new
// target, and checks the standby's parity. Every step is timed and passes
// or fails with its reason, so the report says what would break on the day
// the switch is needed, and how long each part takes.
//
// With DryRun it looks at the real record instead and writes nothing: what
// a failover would do now, and whether the quorum could be reached.
package drill

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/parity"
	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
	"github.com/switchyard-dns/switchyard/dnsfailover/topology"
)

// Defaults of Options.
const (
	DefaultDNSWait = 30 * time.Second       // how long an authoritative answer may take to change
	DefaultPoll    = 100 * time.Millisecond // between two DNS queries
)

// Options configure a drill.
type Options struct {
	// Config is the operator's configuration (config.LoadOperator). A drill
	// needs SWITCHYARD_DRILL_RECORD; the quorum round needs SWITCHYARD_PEERS
	// and SWITCHYARD_SECRET.
	Config config.Config
	// Deps supply the HTTP clients, logger and clock, as for a vantage point.
	Deps assemble.Deps
	// DryRun looks at the real record and writes nothing.
	DryRun bool
	// By names who runs the drill, stored in the drill record's state as
	// by=drill:<By> (default "drill").
	By      string
	DNSWait time.Duration // default DefaultDNSWait
	Poll    time.Duration // default DefaultPoll
}

// Status is a step's outcome.
type Status string

const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Step is one timed part of the drill.
type Step struct {
	Name     string        `json:"name"`
	Status   Status        `json:"status"`
	Start    time.Time     `json:"start"`
	Duration time.Duration `json:"-"`
	MS       float64       `json:"duration_ms"`
	Detail   string        `json:"detail,omitempty"` // what it found
	Reason   string        `json:"reason,omitempty"` // why it failed or was skipped
}

// PeerAnswer is one vantage point's part in the quorum round.
type PeerAnswer struct {
	ID        string    `json:"id"`
	Answered  bool      `json:"answered"`
	Error     string    `json:"error,omitempty"`
	At        time.Time `json:"at,omitzero"`
	PrimaryOK bool      `json:"primary_ok"`
	StandbyOK bool      `json:"standby_ok"`
	Self      bool      `json:"self,omitempty"` // this process's own vote (SWITCHYARD_VANTAGE)
}

// Report is the outcome of a drill.
type Report struct {
	Record   string        `json:"record"` // the record drilled: the drill record, or the real one in a dry run
	DryRun   bool          `json:"dry_run"`
	Primary  string        `json:"primary_target"`
	Standby  string        `json:"standby_target"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"-"`
	MS       float64       `json:"duration_ms"`
	Passed   bool          `json:"passed"`
	// Reason is every failed step, one per line; empty when Passed.
	Reason  string          `json:"reason,omitempty"`
	Steps   []Step          `json:"steps"`
	Peers   []PeerAnswer    `json:"vantage_points,omitempty"`
	Verdict *quorum.Verdict `json:"verdict,omitempty"`
	// Topology is the configured topology's verdict: does it survive the
	// loss, and resist the blindness, of any one provider.
	Topology *topology.Analysis `json:"topology,omitempty"`
	Parity   *parity.Comparison `json:"parity,omitempty"`
	// Plan is, in a dry run, what a failover would do now.
	Plan string `json:"plan,omitempty"`
}

// Step returns the step called name, and whether there is one.
func (r Report) Step(name string) (Step, bool) {
	for _, s := range r.Steps {
		if s.Name == name {
			return s, true
		}
	}
	return Step{}, false
}

// ConfigError is a drill that cannot start: its configuration is missing
// something it needs. Nothing was touched.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return "drill: " + e.Msg }

// run is one drill in progress.
type run struct {
	o   Options
	c   config.Config
	now func() time.Time
	log *slog.Logger
	rep Report
	// ifDown is the quorum round's verdict with every voter that answered
	// saying the primary is down: what a real outage would get now.
	ifDown *quorum.Verdict
}

// Run runs the drill and returns its report. The error is a *ConfigError
// when the drill cannot start; every failure after that is a failed step
// in the report, and Passed says whether all went well. A drill that did
// not pass is told once to the receivers of SWITCHYARD_NOTIFY.
func Run(ctx context.Context, o Options) (Report, error) {
	if o.Deps.Now == nil {
		o.Deps.Now = time.Now
	}
	if o.Deps.Log == nil {
		o.Deps.Log = slog.New(slog.DiscardHandler)
	}
	if o.DNSWait <= 0 {
		o.DNSWait = DefaultDNSWait
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.By == "" {
		o.By = "drill"
	}
	c := o.Config
	if err := c.ValidateOperator(); err != nil {
		return Report{}, &ConfigError{Msg: err.Error()}
	}
	if !o.DryRun && c.DrillRecord == "" {
		return Report{}, &ConfigError{Msg: "SWITCHYARD_DRILL_RECORD is not set: name a record the drill may switch, e.g. _drill." + c.Record +
			", created pointing at SWITCHYARD_PRIMARY_TARGET (or use --dry-run to look at the real record without writing)"}
	}
	if strings.ContainsAny(o.By, " \"\\") || len(o.By) > 40 {
		return Report{}, &ConfigError{Msg: "the drill's by name must be one word of at most 40 characters"}
	}
	r := &run{o: o, c: c, now: o.Deps.Now, log: o.Deps.Log}
	r.rep = Report{Record: c.DrillRecord, DryRun: o.DryRun, Primary: c.PrimaryTarget, Standby: c.StandbyTarget, Started: r.now()}
	if o.DryRun {
		r.rep.Record = c.Record
	}

	primary, standby := r.probes(ctx)
	r.quorumRound(ctx, primary, standby)
	r.topology()
	if o.DryRun {
		// Parity first: the plan says whether it would refuse the switch.
		r.parity(ctx, primary, standby)
		r.plan(ctx, primary)
	} else {
		r.rehearse(ctx)
		r.parity(ctx, primary, standby)
	}
	r.finish()
	if !r.rep.Passed {
		r.tell()
	}
	return r.rep, nil
}

// step times fn and appends its outcome.
func (r *run) step(name string, fn func() (Status, string, string)) Step {
	start := r.now()
	status, detail, reason := fn()
	s := Step{Name: name, Status: status, Start: start, Duration: r.now().Sub(start), Detail: detail, Reason: reason}
	s.MS = ms(s.Duration)
	r.rep.Steps = append(r.rep.Steps, s)
	level := slog.LevelInfo
	if status == Fail {
		level = slog.LevelWarn
	}
	r.log.Log(context.Background(), level, "drill step", "step", name, "status", status, "ms", s.MS, "detail", detail, "reason", reason)
	return s
}

func (r *run) skip(name, why string) {
	r.rep.Steps = append(r.rep.Steps, Step{Name: name, Status: Skip, Start: r.now(), Reason: why})
}

func (r *run) finish() {
	r.rep.Duration = r.now().Sub(r.rep.Started)
	r.rep.MS = ms(r.rep.Duration)
	var failed []string
	for _, s := range r.rep.Steps {
		if s.Status == Fail {
			failed = append(failed, s.Name+": "+s.Reason)
		}
	}
	r.rep.Passed = len(failed) == 0
	r.rep.Reason = strings.Join(failed, "\n")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// errText is err's message, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
