package notify

import (
	"fmt"
	"net/url"
	"strings"
)

// Target is one receiver named in SWITCHYARD_NOTIFY: its kind and its
// value (a webhook URL or a routing key). The value is a secret (a Slack
// webhook URL is its own credential): String never shows it.
type Target struct {
	Kind  string // slack, pagerduty or webhook
	Value string
}

func (t Target) String() string { return t.Kind + ":[redacted]" }

// Kinds are the receiver kinds SWITCHYARD_NOTIFY accepts.
var Kinds = []string{"slack", "pagerduty", "webhook"}

// ParseTargets parses kind:value[,kind:value...], e.g.
// slack:https://hooks.slack.com/services/T/B/X,pagerduty:R0UT1NGKEY,webhook:https://ops.example.com/hook.
// Errors name the part by position and kind, never its value.
func ParseTargets(s string) ([]Target, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []Target
	var problems []string
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		kind, value, ok := strings.Cut(part, ":")
		n := i + 1
		switch {
		case part == "":
			problems = append(problems, fmt.Sprintf("part %d is empty", n))
			continue
		case !ok || value == "":
			problems = append(problems, fmt.Sprintf("part %d: want kind:value with kind one of %s", n, strings.Join(Kinds, ", ")))
			continue
		}
		switch kind {
		case "slack", "webhook":
			if err := checkURL(value); err != nil {
				problems = append(problems, fmt.Sprintf("part %d (%s): %v", n, kind, err))
				continue
			}
		case "pagerduty":
			if strings.ContainsAny(value, " \t/") {
				problems = append(problems, fmt.Sprintf("part %d (pagerduty): want the integration's routing key (32 characters, no spaces or slashes)", n))
				continue
			}
		default:
			problems = append(problems, fmt.Sprintf("part %d: unknown kind %q (want %s)", n, kind, strings.Join(Kinds, ", ")))
			continue
		}
		out = append(out, Target{Kind: kind, Value: value})
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return out, nil
}

// checkURL accepts an absolute http(s) URL. Its error never quotes the URL.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL")
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("want an absolute https:// URL")
	}
	return nil
}
