package config

import (
	"slices"
	"strings"
	"testing"
)

func TestNotifyValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"valid", map[string]string{
			"SWITCHYARD_NOTIFY":                "slack:https://hooks.slack.com/services/T/B/DO-NOT-PRINT,pagerduty:DO-NOT-PRINT,webhook:https://ops.example.com/hook",
			"SWITCHYARD_NOTIFY_WEBHOOK_SECRET": "DO-NOT-PRINT-a-webhook-key-of-32-bytes",
		}, nil},
		{"webhook without key", map[string]string{"SWITCHYARD_NOTIFY": "webhook:https://ops.example.com/DO-NOT-PRINT"},
			[]string{"SWITCHYARD_NOTIFY_WEBHOOK_SECRET: required: SWITCHYARD_NOTIFY names a webhook receiver, whose requests are signed with it"}},
		{"bad parts", map[string]string{"SWITCHYARD_NOTIFY": "slack:DO-NOT-PRINT,email:DO-NOT-PRINT"},
			[]string{`SWITCHYARD_NOTIFY: part 1 (slack): want an absolute https:// URL; part 2: unknown kind "email" (want slack, pagerduty, webhook)`}},
		{"short key, bad counts", map[string]string{"SWITCHYARD_NOTIFY_WEBHOOK_SECRET": "DO-NOT-PRINT", "SWITCHYARD_NOTIFY_DNS_FAILURES": "-1", "SWITCHYARD_PAGERDUTY_URL": "events.pagerduty.com"},
			[]string{"SWITCHYARD_NOTIFY_WEBHOOK_SECRET: too short (12 bytes): want at least 32",
				"SWITCHYARD_NOTIFY_DNS_FAILURES: -1: want 1 or more (0: the default, 3)",
				`SWITCHYARD_PAGERDUTY_URL: "events.pagerduty.com": want an absolute https:// URL`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setEnv(t, validEnv(), tc.env)
			c, err := Load()
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if ts := c.NotifyTargets(); len(ts) != 3 {
					t.Errorf("targets %v", ts)
				}
				return
			}
			problems := problemsOf(t, err)
			if !slices.Equal(problems, tc.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(tc.want, "\n"))
			}
			assertNoSecrets(t, err.Error())
		})
	}
}
