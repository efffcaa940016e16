package notify

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// PagerDutyURL is the Events API v2 endpoint.
const PagerDutyURL = "https://events.pagerduty.com/v2/enqueue"

// PagerDuty sends PagerDuty Events API v2 events
// (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/):
// a failover or a refusal during an outage triggers, the record back on
// the primary or an operator's action (they are on it) resolves. The
// dedup_key is the record's, so one incident is one page however many
// events follow. Other kinds are not sent: they are not incidents.
type PagerDuty struct {
	RoutingKey string
	URL        string // default PagerDutyURL
	HTTP       *http.Client
}

var _ Sink = (*PagerDuty)(nil)

func (p *PagerDuty) Name() string { return "pagerduty" }

// PagerDutyEvent is the payload; exported so tests decode what PagerDuty would.
type PagerDutyEvent struct {
	RoutingKey  string            `json:"routing_key"`
	EventAction string            `json:"event_action"` // trigger or resolve
	DedupKey    string            `json:"dedup_key"`
	Payload     *PagerDutyPayload `json:"payload,omitempty"` // required for trigger
}

// PagerDutyPayload is the alert's content.
type PagerDutyPayload struct {
	Summary       string            `json:"summary"` // at most 1024 characters
	Source        string            `json:"source"`
	Severity      string            `json:"severity"` // critical, error, warning or info
	Timestamp     string            `json:"timestamp,omitempty"`
	Component     string            `json:"component,omitempty"`
	Group         string            `json:"group,omitempty"`
	Class         string            `json:"class,omitempty"`
	CustomDetails map[string]string `json:"custom_details,omitempty"`
}

// PagerDutyAction is what e does to the record's incident: "trigger",
// "resolve", or "" (not sent).
func PagerDutyAction(e Event) string {
	switch e.Kind {
	case Switched, Refused:
		return "trigger"
	case FailedBack:
		return "resolve"
	case Manual, HoldStarted:
		// An operator acted: acknowledged by pinning, as on-call would.
		return "resolve"
	}
	return ""
}

// PagerDutyPayloadOf renders e for routing key key.
func PagerDutyPayloadOf(key string, e Event) PagerDutyEvent {
	ev := PagerDutyEvent{RoutingKey: key, EventAction: PagerDutyAction(e), DedupKey: "switchyard:" + e.Record}
	if ev.EventAction != "trigger" {
		return ev
	}
	details := map[string]string{}
	for _, d := range e.Details() {
		details[strings.ToLower(strings.ReplaceAll(d[0], " ", "_"))] = d[1]
	}
	sev := "critical"
	if e.Kind == Switched {
		sev = "error" // traffic is served, from the standby
	}
	ev.Payload = &PagerDutyPayload{
		Summary: trim(e.Title()+": "+e.Reason, 1024), Source: e.Vantage, Severity: sev,
		Timestamp: e.At.UTC().Format("2006-01-02T15:04:05.000Z"), Component: e.Record,
		Group: "switchyard", Class: string(e.Kind), CustomDetails: details,
	}
	if ev.Payload.Source == "" {
		ev.Payload.Source = "switchyard"
	}
	return ev
}

// Send posts e when it triggers or resolves; PagerDuty answers 202, 400
// for an invalid event (permanent), 429 when throttled.
func (p *PagerDuty) Send(ctx context.Context, e Event) error {
	if PagerDutyAction(e) == "" {
		return nil
	}
	body, err := json.Marshal(PagerDutyPayloadOf(p.RoutingKey, e))
	if err != nil {
		return &PermanentError{err}
	}
	url := p.URL
	if url == "" {
		url = PagerDutyURL
	}
	return post(ctx, p.HTTP, "pagerduty", url, body, nil)
}
