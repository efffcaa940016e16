package metrics

import (
	"encoding/json"
	"time"
)

// Metrics of a drill (dnsfailover/drill), as the template's drill alarm
// refers to them.
const (
	// DrillFailures is 1 for a drill that failed, 0 for one that passed.
	DrillFailures = "DrillFailures"
	// DrillDuration is how long the whole drill took: a property of the
	// same line, for CloudWatch Logs Insights, not a metric (no alarm
	// watches it, and a metric costs $0.30 a month prorated by the hours
	// with data).
	DrillDuration = "DrillDuration"
)

// DrillDocument is the EMF document of one drill, with the Record
// dimension (the switched record, not the drill record, so the alarm
// names the service the drill protects). Only DrillFailures, which the
// drill alarm watches, is declared a metric.
func DrillDocument(record string, passed bool, took time.Duration, at time.Time) ([]byte, error) {
	doc := map[string]any{
		"Record":      record,
		DrillFailures: flag(!passed),
		DrillDuration: float64(took) / float64(time.Millisecond),
		"_aws": metadata{
			Timestamp: at.UnixMilli(),
			CloudWatchMetrics: []directive{{
				Namespace:  Namespace,
				Dimensions: [][]string{{"Record"}},
				Metrics:    []metricDef{{Name: DrillFailures, Unit: "Count"}},
			}},
		},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
