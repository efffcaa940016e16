package config

import (
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strings"
	"text/tabwriter"

	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
)

// Explain writes, for a person, what this configuration will do: the
// record and its targets, the vantage points by provider, the quorum rule
// in words, and the topology's verdict with every warning. It is what
// `probe check-config` prints. It never shows a secret's value, only
// whether it is set, and shows URLs without their query or user info.
func (c Config) Explain(w io.Writer) error {
	b := &strings.Builder{}
	tw := tabwriter.NewWriter(b, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "record\t%s %s: %s (primary) → %s (standby)\n", c.Record, c.RecordType, c.PrimaryTarget, c.StandbyTarget)
	for _, m := range c.Group {
		fmt.Fprintf(tw, "  with\t%s %s: %s (primary) → %s (standby), in the same write\n", m.Name, m.Type, m.Primary, m.Standby)
	}
	fmt.Fprintf(tw, "checks\tprimary %s, standby %s, every %s, timeout %s\n", showURL(c.PrimaryCheck), showURL(c.StandbyCheck), c.Interval, c.ProbeTimeout)
	fmt.Fprintf(tw, "detection\t%s\n", c.detectionText())
	fmt.Fprintf(tw, "this vantage point\t%s\n", c.Vantage)
	for _, p := range c.Providers() {
		var ids []string
		for _, id := range c.Vantages() {
			if c.ProviderOf(id) != p {
				continue
			}
			if u := c.peerURL(id); u != "" {
				id += " (" + showURL(u) + ")"
			} else {
				id += " (this one)"
			}
			ids = append(ids, id)
		}
		fmt.Fprintf(tw, "provider %s\t%s\n", p, strings.Join(ids, ", "))
	}
	fmt.Fprintf(tw, "quorum rule\t%s\n", c.ruleText())
	fmt.Fprintf(tw, "failback\t%s", c.Failback)
	if c.Failback == "auto" {
		fmt.Fprintf(tw, " after %d healthy rounds and at least %s on the standby", c.RecoverAfter, c.MinDwell)
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "DNS\t%s\n", c.dnsText())
	fmt.Fprintf(tw, "secrets set\t%s (values never shown)\n", strings.Join(c.setSecrets(), ", "))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(b)
	if err := c.Topology().WriteText(b); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ruleText says the quorum rule in words, naming where each number comes from.
func (c Config) ruleText() string {
	n := len(c.Vantages())
	q := fmt.Sprintf("SWITCHYARD_QUORUM %d", c.Quorum)
	if c.Quorum == 0 {
		q = "a strict majority, SWITCHYARD_QUORUM 0"
	}
	m := fmt.Sprintf("SWITCHYARD_MIN_PROVIDERS %d", c.MinProviders)
	if c.MinProviders == 0 {
		m = "automatic, SWITCHYARD_MIN_PROVIDERS 0"
	}
	return fmt.Sprintf("switch when %d of all %d vantage points (%s) say the primary is down, from at least %d providers (%s), and as many say the standby is up; a vantage point that does not answer abstains, never counts as down",
		c.EffectiveQuorum(), n, q, c.EffectiveMinProviders(), m)
}

func (c Config) peerURL(id string) string {
	for _, p := range c.Peers {
		if p.ID == id {
			return p.URL
		}
	}
	return ""
}

// showURL is probe.RedactURL's form (the one redactor) without query or
// fragment: enough to see where a URL points, nothing that could be a
// credential, and short enough for a line of check-config.
func showURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || strings.Contains(raw, "@") {
		return "(not shown)"
	}
	u.RawQuery, u.Fragment = "", ""
	return probe.RedactURL(u)
}

// dnsText says which DNS providers are written and where.
func (c Config) dnsText() string {
	var each []string
	for _, name := range c.DNSProviders() {
		each = append(each, c.providerText(name))
	}
	if len(each) > 1 {
		return "every one of " + strings.Join(each, "; ") + " (a switch is done once one commits; the others are repaired)"
	}
	return strings.Join(each, "")
}

// providerText says where one DNS provider is written.
func (c Config) providerText(name string) string {
	switch name {
	case "cloudflare":
		return fmt.Sprintf("cloudflare at %s, zone %s", showURL(c.CloudflareAPIURL), c.CloudflareZoneID)
	case "route53":
		endpoint := "AWS's endpoint"
		if c.Route53EndpointURL != "" {
			endpoint = showURL(c.Route53EndpointURL)
		}
		return fmt.Sprintf("route53 at %s, hosted zone %s", endpoint, c.Route53HostedZoneID)
	case "rfc2136":
		return fmt.Sprintf("rfc2136 updates to %s, zone %s, TSIG key %s (%s)", c.RFC2136Server, c.RFC2136Zone, c.RFC2136TSIGKeyName, c.RFC2136TSIGAlgorithm)
	}
	return name
}

// setSecrets names every secret variable that is set, never its value.
func (c Config) setSecrets() []string {
	v := reflect.ValueOf(c)
	var names []string
	for i := range v.NumField() {
		if s, ok := v.Field(i).Interface().(Secret); ok && s != "" {
			names = append(names, varOf(v.Type().Field(i)).Name)
		}
	}
	if len(names) == 0 {
		return []string{"none"}
	}
	return names
}

// detectionText says how fast a primary outage is confirmed and the
// shortest outage that can move traffic, from FAST_INTERVAL and FAIL_AFTER.
func (c Config) detectionText() string {
	fast := c.EffectiveFastInterval()
	if fast >= c.Interval {
		return fmt.Sprintf("no fast re-checks: %d failed checks %s apart; an outage shorter than %s never causes a failover",
			c.FailAfter, c.Interval, c.ShortestFailover())
	}
	return fmt.Sprintf("after a failed check of the primary, re-checks every %s until %d failures or a success; an outage shorter than %s never causes a failover, a longer one moves the record within %s of its start (I + (K−1)·max(F,T) + 3T + one write, allowed one interval)",
		fast, c.FailAfter, c.ShortestFailover(), failover.DetectionBound(c.Interval, fast, c.FailAfter, c.ProbeTimeout, c.Interval))
}
