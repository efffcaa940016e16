package metrics

import (
	"encoding/json"
	"time"
)

// RejectedPeerRequests counts /observe requests a vantage point refused
// (unsigned, wrongly signed, replayed, outside the skew window, too
// large): a rise means a misconfigured peer or someone probing the
// Function URL.
const RejectedPeerRequests = "RejectedPeerRequests"

// Rejected writes the document of one refused peer request (HTTP status).
func (e *EMF) Rejected(status int, at time.Time) {
	doc, err := RejectedDocument(e.record, e.id, status, at)
	if err != nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	_, _ = e.w.Write(doc)
}

// RejectedDocument is the EMF document of one refused peer request, with
// the Record and Vantage dimensions and the HTTP status as a property.
func RejectedDocument(record, vantage string, status int, at time.Time) ([]byte, error) {
	doc := map[string]any{
		"Record":             record,
		"Vantage":            vantage,
		"Status":             status,
		RejectedPeerRequests: 1,
		"_aws": metadata{
			Timestamp: at.UnixMilli(),
			CloudWatchMetrics: []directive{{
				Namespace:  Namespace,
				Dimensions: [][]string{{"Record", "Vantage"}},
				Metrics:    []metricDef{{Name: RejectedPeerRequests, Unit: "Count"}},
			}},
		},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
