package notify

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// Slack posts to a Slack incoming webhook
// (https://api.slack.com/messaging/webhooks): a header block with the
// title, one section of facts as "*label:* value" lines (fields would be
// laid out in two columns, unreadable on a phone), and a context line.
// "text" is the fallback shown in notifications.
type Slack struct {
	URL  string
	HTTP *http.Client
}

var _ Sink = (*Slack)(nil)

func (s *Slack) Name() string { return "slack" }

// SlackMessage is the payload; exported so tests decode what Slack would.
type SlackMessage struct {
	Text   string       `json:"text"`
	Blocks []SlackBlock `json:"blocks"`
}

// SlackBlock is one layout block (header, section or context).
type SlackBlock struct {
	Type     string      `json:"type"`
	Text     *SlackText  `json:"text,omitempty"`
	Elements []SlackText `json:"elements,omitempty"`
}

// SlackText is a text object: plain_text or mrkdwn.
type SlackText struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"`
}

// SlackPayload renders e. Slack limits: header text 150 characters,
// section text 3000.
func SlackPayload(e Event) SlackMessage {
	title := trim(icon(e.Kind)+" "+e.Title(), 150)
	var lines []string
	for _, d := range e.Details() {
		lines = append(lines, "*"+d[0]+":* "+slackEscape(d[1]))
	}
	return SlackMessage{
		Text: e.Title(),
		Blocks: []SlackBlock{
			{Type: "header", Text: &SlackText{Type: "plain_text", Text: title, Emoji: true}},
			{Type: "section", Text: &SlackText{Type: "mrkdwn", Text: trim(strings.Join(lines, "\n"), 3000)}},
			{Type: "context", Elements: []SlackText{{Type: "mrkdwn", Text: "switchyard · " + string(e.Kind) + " · " + e.At.UTC().Format("2006-01-02 15:04:05Z")}}},
		},
	}
}

// Send posts e; Slack answers 200 "ok", or 4xx with a reason such as
// invalid_payload or no_service (permanent), or 429.
func (s *Slack) Send(ctx context.Context, e Event) error {
	body, err := json.Marshal(SlackPayload(e))
	if err != nil {
		return &PermanentError{err}
	}
	return post(ctx, s.HTTP, "slack", s.URL, body, nil)
}

// slackEscape escapes the three characters Slack's mrkdwn gives meaning to.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func icon(k Kind) string {
	switch k {
	case Switched, Refused, DNSFailing, DNSDisagree, DrillFailed, Topology:
		return "🔴"
	case FailedBack, HoldEnded:
		return "🟢"
	}
	return "🟡"
}
