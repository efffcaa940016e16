// Package metrics turns a vantage point's rounds into CloudWatch Embedded
// Metric Format (EMF) documents: JSON log lines that CloudWatch Logs turns
// into metrics, so a Lambda function publishes metrics by printing, with no
// CloudWatch API call, no SDK and no extra latency.
//
// One line per round carries every value of that round, with the
// dimensions Record and Vantage:
//
//	PrimaryLatency, StandbyLatency      ms, how long each check took
//	PrimaryProbeFailures, StandbyProbeFailures  1 when the check failed, else 0
//	DownVotes, UpVotes, AbstainedVotes  only in rounds that asked the peers
//	Switches                            1 when this round moved the record
//	RefusedSwitches                     1 when the quorum refused a switch
//	Errors                              1 when DNS could not be read or written
//	StandbyParityFailures               1 while the last parity report fails
//	StandbyClientPathFailures           1 when the standby would not serve clients at the record's name
//
// but only two of them are declared as CloudWatch metrics, and only in
// the rounds where they are 1: Switches (the switch alarm in template.yaml
// watches it; it treats missing data as not breaching) and
// PrimaryProbeFailures (what a person graphs: when did this region see the
// primary fail). A custom metric costs $0.30 a month prorated by the hours
// in which it gets data, so a metric declared every round costs the full
// $0.30 while these cost nothing in a healthy month. Every other value is
// a property of the same line, for CloudWatch Logs Insights, e.g.
//
//	filter Vantage = "aws:us-east-1" | stats avg(PrimaryLatency), sum(Errors) by bin(5m)
//
// A round with nothing to declare is a plain JSON line without "_aws".
package metrics

import (
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
)

// Namespace is the CloudWatch namespace of every metric.
const Namespace = "Switchyard"

// Metric names, as the template's alarm and dashboards refer to them.
const (
	PrimaryLatency       = "PrimaryLatency"
	StandbyLatency       = "StandbyLatency"
	PrimaryProbeFailures = "PrimaryProbeFailures"
	StandbyProbeFailures = "StandbyProbeFailures"
	DownVotes            = "DownVotes"
	UpVotes              = "UpVotes"
	AbstainedVotes       = "AbstainedVotes"
	Switches             = "Switches"
	RefusedSwitches      = "RefusedSwitches"
	Errors               = "Errors"
	// StandbyParityFailures is 1 while the last known parity report of the
	// standby fails (dnsfailover/parity), absent before the first one.
	StandbyParityFailures = "StandbyParityFailures"
	// StandbyClientPathFailures is 1 in a round whose client-path check of
	// the standby failed (a certificate, Host routing or address problem at
	// the record's name), absent when the check is off.
	StandbyClientPathFailures = "StandbyClientPathFailures"
)

// EMF writes one EMF document per round to W. Use its Event method as the
// vantage point's Events hook; it ignores every event but round.
type EMF struct {
	w      io.Writer
	record string
	id     string
	mu     sync.Mutex // one document per Write, never interleaved
}

// New returns an EMF writer for the record and vantage id; in Lambda, w is
// os.Stdout (CloudWatch Logs reads EMF from the function's log stream).
func New(w io.Writer, record, vantageID string) *EMF {
	return &EMF{w: w, record: record, id: vantageID}
}

type metricDef struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type directive struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []metricDef `json:"Metrics"`
}

type metadata struct {
	Timestamp         int64       `json:"Timestamp"`
	CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
}

// Event writes the metrics of a round event; other events are already in
// the round that follows them. Write errors are dropped: metrics must
// never stop a vantage point.
func (e *EMF) Event(ev vantage.Event) {
	if ev.Kind != vantage.EventRound || ev.Round == nil {
		return
	}
	doc, err := e.Document(*ev.Round)
	if err != nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	_, _ = e.w.Write(doc)
}

// Document returns the EMF document of one round, newline-terminated.
func (e *EMF) Document(r vantage.Round) ([]byte, error) {
	doc := map[string]any{"Record": e.record, "Vantage": e.id}
	var defs []metricDef
	set := func(name string, value float64) { doc[name] = value }
	// declare makes name a CloudWatch metric of this document, in rounds
	// where it happened only (see the package comment for why).
	declare := func(name string, happened bool) {
		set(name, flag(happened))
		if happened {
			defs = append(defs, metricDef{Name: name, Unit: "Count"})
		}
	}
	set(PrimaryLatency, float64(r.Primary.Latency)/float64(time.Millisecond))
	set(StandbyLatency, float64(r.Standby.Latency)/float64(time.Millisecond))
	declare(PrimaryProbeFailures, !r.Primary.OK)
	set(StandbyProbeFailures, flag(!r.Standby.OK))
	if v := r.Verdict; v != nil {
		set(DownVotes, float64(v.Down))
		set(UpVotes, float64(v.Up))
		set(AbstainedVotes, float64(len(v.Abstained)))
	}
	declare(Switches, r.Switched)
	set(RefusedSwitches, flag(r.Decision.Action == failover.Refuse))
	set(Errors, flag(r.Error != ""))
	if r.Parity != nil {
		set(StandbyParityFailures, flag(!r.Parity.OK))
	}
	if r.StandbyClient != nil {
		set(StandbyClientPathFailures, flag(!r.StandbyClient.OK))
	}
	doc["at"] = r.At.UTC().Format(time.RFC3339Nano)
	if len(defs) > 0 {
		doc["_aws"] = metadata{
			Timestamp: r.At.UnixMilli(),
			CloudWatchMetrics: []directive{{
				Namespace:  Namespace,
				Dimensions: [][]string{{"Record", "Vantage"}},
				Metrics:    defs,
			}},
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func flag(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
