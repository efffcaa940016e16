package config

import (
	"net/url"

	"github.com/switchyard-dns/switchyard/dnsfailover/notify"
)

// NotifyTargets returns the receivers of SWITCHYARD_NOTIFY (validated).
func (c Config) NotifyTargets() []notify.Target {
	t, _ := notify.ParseTargets(c.Notify.Reveal())
	return t
}

// checkNotify validates the notification settings; the receivers' values
// are secrets, so problems name a part by position, never its value.
func (c Config) checkNotify(k *checker) {
	targets, err := notify.ParseTargets(c.Notify.Reveal())
	if err != nil {
		k.add("SWITCHYARD_NOTIFY", "%v", err)
	}
	webhook := false
	for _, t := range targets {
		webhook = webhook || t.Kind == "webhook"
	}
	switch {
	case webhook && c.NotifyWebhookSecret == "":
		k.add("SWITCHYARD_NOTIFY_WEBHOOK_SECRET", "required: SWITCHYARD_NOTIFY names a webhook receiver, whose requests are signed with it")
	case c.NotifyWebhookSecret != "" && len(c.NotifyWebhookSecret) < 32:
		k.add("SWITCHYARD_NOTIFY_WEBHOOK_SECRET", "too short (%d bytes): want at least 32", len(c.NotifyWebhookSecret))
	}
	if k.usable("SWITCHYARD_NOTIFY_DNS_FAILURES") && c.NotifyDNSFailures < 0 {
		k.add("SWITCHYARD_NOTIFY_DNS_FAILURES", "%d: want 1 or more (0: the default, 3)", c.NotifyDNSFailures)
	}
	if c.PagerDutyURL == "" {
		return // a Config built in code: the default endpoint
	}
	if u, err := url.Parse(c.PagerDutyURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		k.add("SWITCHYARD_PAGERDUTY_URL", "%q: want an absolute https:// URL", c.PagerDutyURL)
	}
}
