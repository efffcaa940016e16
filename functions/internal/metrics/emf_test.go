package metrics_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/functions/internal/metrics"
)

// emfDoc is the part of an EMF document CloudWatch reads.
type emfDoc struct {
	AWS struct {
		Timestamp         int64 `json:"Timestamp"`
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		} `json:"CloudWatchMetrics"`
	} `json:"_aws"`
}

// decode checks the document against the EMF rules CloudWatch enforces
// (every metric and dimension named in the directive is a top-level member
// of the right kind) and returns the metric values.
func decode(t *testing.T, line []byte) (emfDoc, map[string]float64) {
	t.Helper()
	var doc emfDoc
	var all map[string]any
	if err := json.Unmarshal(line, &doc); err != nil {
		t.Fatalf("not JSON: %v: %s", err, line)
	}
	if err := json.Unmarshal(line, &all); err != nil {
		t.Fatal(err)
	}
	if len(doc.AWS.CloudWatchMetrics) != 1 {
		t.Fatalf("want one metric directive, got %d", len(doc.AWS.CloudWatchMetrics))
	}
	d := doc.AWS.CloudWatchMetrics[0]
	if d.Namespace != metrics.Namespace {
		t.Errorf("namespace %q", d.Namespace)
	}
	for _, set := range d.Dimensions {
		for _, dim := range set {
			if s, ok := all[dim].(string); !ok || s == "" {
				t.Errorf("dimension %s = %v, want a non-empty string member", dim, all[dim])
			}
		}
	}
	values := map[string]float64{}
	for _, m := range d.Metrics {
		v, ok := all[m.Name].(float64)
		if !ok {
			t.Errorf("metric %s = %v, want a number member", m.Name, all[m.Name])
		}
		if m.Unit != "Count" && m.Unit != "Milliseconds" {
			t.Errorf("metric %s unit %q", m.Name, m.Unit)
		}
		values[m.Name] = v
	}
	return doc, values
}

// Every value of a round is in its line; only a switch and a failed
// primary check are declared as metrics, and only when they happen.
func TestRoundsBecomeMetrics(t *testing.T) {
	at := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	ok := func(ms int) probe.Result {
		return probe.Result{OK: true, Latency: time.Duration(ms) * time.Millisecond}
	}
	down := probe.Result{OK: false, Latency: 3 * time.Second, Reason: "timeout"}
	tests := []struct {
		name     string
		round    vantage.Round
		values   map[string]float64
		declared map[string]float64
	}{
		{"healthy", vantage.Round{At: at, Primary: ok(42), Standby: ok(7), Decision: failover.Decision{Action: failover.Hold}},
			map[string]float64{"PrimaryLatency": 42, "StandbyLatency": 7, "PrimaryProbeFailures": 0, "StandbyProbeFailures": 0,
				"Switches": 0, "RefusedSwitches": 0, "Errors": 0},
			nil},
		{"switched", vantage.Round{At: at, Primary: down, Standby: ok(9), Switched: true,
			Decision: failover.Decision{Action: failover.Switch},
			Verdict:  &quorum.Verdict{Down: 4, Up: 0, Abstained: []string{"gcp:europe-west1"}}},
			map[string]float64{"PrimaryLatency": 3000, "StandbyLatency": 9, "PrimaryProbeFailures": 1, "StandbyProbeFailures": 0,
				"DownVotes": 4, "UpVotes": 0, "AbstainedVotes": 1, "Switches": 1, "RefusedSwitches": 0, "Errors": 0},
			map[string]float64{"PrimaryProbeFailures": 1, "Switches": 1}},
		{"refused", vantage.Round{At: at, Primary: down, Standby: ok(9),
			Decision: failover.Decision{Action: failover.Refuse},
			Verdict:  &quorum.Verdict{Down: 1, Up: 3}},
			map[string]float64{"PrimaryLatency": 3000, "StandbyLatency": 9, "PrimaryProbeFailures": 1, "StandbyProbeFailures": 0,
				"DownVotes": 1, "UpVotes": 3, "AbstainedVotes": 0, "Switches": 0, "RefusedSwitches": 1, "Errors": 0},
			map[string]float64{"PrimaryProbeFailures": 1}},
		{"dns error", vantage.Round{At: at, Primary: ok(1), Standby: down, Error: "read DNS: 503"},
			map[string]float64{"PrimaryLatency": 1, "StandbyLatency": 3000, "PrimaryProbeFailures": 0, "StandbyProbeFailures": 1,
				"Switches": 0, "RefusedSwitches": 0, "Errors": 1},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			e := metrics.New(&out, "assets.example.com", "aws:us-east-1")
			e.Event(vantage.Event{Kind: vantage.EventSwitched}) // not a round: no document
			e.Event(vantage.Event{Kind: vantage.EventRound, Round: &tt.round})
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(lines) != 1 {
				t.Fatalf("%d lines, want one document per round:\n%s", len(lines), out.String())
			}
			var all map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &all); err != nil {
				t.Fatalf("not JSON: %v: %s", err, lines[0])
			}
			for name, want := range tt.values {
				if v, ok := all[name].(float64); !ok || v != want {
					t.Errorf("%s = %v, want %v in the line", name, all[name], want)
				}
			}
			if all["Record"] != "assets.example.com" || all["Vantage"] != "aws:us-east-1" {
				t.Errorf("line lacks the dimensions: %s", lines[0])
			}
			if tt.declared == nil {
				if _, ok := all["_aws"]; ok {
					t.Errorf("a round with nothing to declare declares metrics: %s", lines[0])
				}
				return
			}
			doc, got := decode(t, []byte(lines[0]))
			if doc.AWS.Timestamp != at.UnixMilli() {
				t.Errorf("timestamp %d, want the round's time %d", doc.AWS.Timestamp, at.UnixMilli())
			}
			if len(got) != len(tt.declared) {
				t.Errorf("declared metrics %v, want %v", got, tt.declared)
			}
			for name, want := range tt.declared {
				if v, ok := got[name]; !ok || v != want {
					t.Errorf("%s = %v (declared %v), want %v", name, v, ok, want)
				}
			}
		})
	}
}
