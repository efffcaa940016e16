// Package notify tells people what switchyard did, where on-call already
// looks: Slack incoming webhooks (slack.go), PagerDuty Events API v2
// (pagerduty.go) and a generic JSON webhook signed with HMAC-SHA256
// (webhook.go). One file per format, one Sink interface, and one Notifier
// (notifier.go) that delivers in the background with retries, so a slow or
// dead receiver never delays a probe round or a switch.
//
// Deciding WHO notifies (exactly one message per event across the fleet) is
// not this package's job: the vantage point whose write committed tells of a
// switch, the deciding vantage point tells of a refusal (dnsfailover/vantage).
//
// Plain net/http, no client library: Slack's and PagerDuty's Go SDKs are
// whole-API clients (hundreds of files, their own HTTP stacks) for what is
// one JSON POST each here, and no small, well-kept library covers the three
// formats; every dependency also grows the Lambda bootstrap.
package notify

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"
)

// Kind names what happened.
type Kind string

const (
	Switched     Kind = "switched"      // automation moved the record to the standby
	FailedBack   Kind = "failed_back"   // automation moved the record back to the primary
	Refused      Kind = "refused"       // the quorum says the primary is down, and the failover was refused
	DNSFailing   Kind = "dns_failing"   // DNS writes failed for several rounds in a row
	DNSDisagree  Kind = "dns_disagree"  // several DNS providers hold different states (one is behind or unreadable)
	ParityFailed Kind = "parity_failed" // the standby misses or differs in sampled objects
	// ClientPathFailed: the standby would not serve clients at the record's
	// name (certificate, Host routing or address; dnsfailover/probe/CLIENTPATH.md).
	ClientPathFailed Kind = "client_path_failed"
	DrillFailed      Kind = "drill_failed" // a failover drill did not pass
	Manual           Kind = "manual"       // an operator moved or pinned the record, or handed it back
	HoldStarted      Kind = "hold_started" // a maintenance hold pins the record until a time
	HoldEnded        Kind = "hold_ended"   // a maintenance hold ran out; automation resumes
	Topology         Kind = "topology"     // the configuration cannot survive the loss of a provider
)

// Event is one notification. Every field is safe to show: no secret, no
// credentials (check URLs are already redacted where they are made).
type Event struct {
	Kind    Kind      `json:"event"`
	Record  string    `json:"record"`
	Vantage string    `json:"vantage,omitempty"` // who tells
	At      time.Time `json:"at"`
	// Active is where traffic goes after the event (primary or standby),
	// Target the record's content.
	Active     string `json:"active,omitempty"`
	Target     string `json:"target,omitempty"`
	Generation uint64 `json:"generation,omitempty"`
	Reason     string `json:"reason,omitempty"`
	// Verdict is the quorum's count behind a switch or a refusal, e.g.
	// "4/5 down (aws,gcp), standby ok 5/5".
	Verdict string `json:"verdict,omitempty"`
	// Cause says, for a refusal, which rule refused: "standby_unhealthy",
	// "parity" or "pinned".
	Cause string `json:"cause,omitempty"`
	// FaultFor is, for a switch, how long the primary had been failing
	// when it was written; for a failback, how long traffic was on the
	// standby.
	FaultFor time.Duration `json:"fault_for_ns,omitempty"`
	// Until is when a hold ends.
	Until time.Time `json:"until,omitzero"`
	By    string    `json:"by,omitempty"`
}

// Title is a one-line summary a person reads first (a phone's lock screen).
func (e Event) Title() string {
	switch e.Kind {
	case Switched:
		return fmt.Sprintf("%s failed over to the standby", e.Record)
	case FailedBack:
		return fmt.Sprintf("%s is back on the primary", e.Record)
	case Refused:
		return fmt.Sprintf("%s: primary down, failover refused (%s)", e.Record, causeText(e.Cause))
	case DNSFailing:
		return fmt.Sprintf("%s: DNS writes failing", e.Record)
	case DNSDisagree:
		return fmt.Sprintf("%s: the DNS providers disagree", e.Record)
	case ParityFailed:
		return fmt.Sprintf("%s: the standby differs from the primary", e.Record)
	case ClientPathFailed:
		return fmt.Sprintf("%s: the standby would not serve clients at this name", e.Record)
	case DrillFailed:
		return fmt.Sprintf("%s: failover drill failed", e.Record)
	case Manual:
		return fmt.Sprintf("%s: operator action, traffic on the %s", e.Record, e.Active)
	case HoldStarted:
		return fmt.Sprintf("%s held on the %s until %s", e.Record, e.Active, e.Until.UTC().Format(time.RFC3339))
	case HoldEnded:
		return fmt.Sprintf("%s: maintenance hold ended, automation resumes", e.Record)
	case Topology:
		return fmt.Sprintf("%s: topology cannot survive a provider's loss", e.Record)
	}
	return fmt.Sprintf("%s: %s", e.Record, e.Kind)
}

func causeText(c string) string {
	switch c {
	case "standby_unhealthy":
		return "standby unhealthy"
	case "client_path":
		return "standby would not serve clients at the record's name"
	case "parity":
		return "standby fails parity"
	case "pinned":
		return "record pinned"
	}
	return c
}

// Details are the event's facts as label/value lines, in reading order,
// for the formats that show them (Slack).
func (e Event) Details() [][2]string {
	var d [][2]string
	add := func(k, v string) {
		if v != "" {
			d = append(d, [2]string{k, v})
		}
	}
	add("Why", e.Reason)
	add("Quorum", e.Verdict)
	if e.FaultFor > 0 {
		label := "Primary failing for"
		if e.Kind == FailedBack {
			label = "On the standby for"
		}
		add(label, e.FaultFor.Round(time.Second).String())
	}
	add("Active", e.Active)
	add("Target", e.Target)
	if e.Generation > 0 {
		add("Generation", fmt.Sprint(e.Generation))
	}
	if !e.Until.IsZero() {
		add("Until", e.Until.UTC().Format(time.RFC3339))
	}
	add("By", e.By)
	add("Reported by", e.Vantage)
	return d
}

// Sink delivers one event to one receiver. Send returns a *PermanentError
// when retrying cannot help (a revoked webhook, a malformed request).
type Sink interface {
	Name() string // kind of receiver, e.g. "slack"; never the URL or key
	Send(ctx context.Context, e Event) error
}

// PermanentError is a refusal by the receiver that retrying cannot change.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// trim shortens s to at most n bytes, cut on a rune boundary and marked.
func trim(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("...")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
