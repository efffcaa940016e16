package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// ValidationError lists every problem found in a configuration, one line
// each, every line starting with the variable it is about.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	return "invalid configuration:\n" + strings.Join(e.Problems, "\n")
}

// Validate checks every setting and returns a *ValidationError listing all
// problems at once, or nil. Messages never contain a secret's value.
func (c Config) Validate() error {
	if problems := c.validate(nil); len(problems) > 0 {
		return &ValidationError{Problems: problems}
	}
	return nil
}

// checker collects problems. unparsed holds the variables whose value
// could not be parsed: their field holds no meaningful value, so the rules
// that read them are skipped rather than reporting a second, false problem.
type checker struct {
	unparsed map[string]bool
	problems []string
}

func (k *checker) add(name, format string, args ...any) {
	k.problems = append(k.problems, name+": "+fmt.Sprintf(format, args...))
}

// usable reports whether every named variable was parsed.
func (k *checker) usable(names ...string) bool {
	for _, n := range names {
		if k.unparsed[n] {
			return false
		}
	}
	return true
}

// require reports name as missing when value is empty, and says what it is
// for. It returns whether the value is set.
func (k *checker) require(name, value string) bool {
	if value == "" {
		k.add(name, "required: %s", describe(name))
		return false
	}
	return true
}

// validate returns every problem, in the order of the Config fields.
func (c Config) validate(unparsed map[string]bool) []string {
	k := &checker{unparsed: unparsed}
	c.checkRecord(k)
	c.checkChecks(k)
	c.checkVantages(k)
	c.checkRotation(k)
	c.checkTiming(k)
	c.checkDNS(k)
	c.checkParity(k)
	c.checkClientPath(k)
	c.checkNotify(k)
	return k.problems
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (c Config) checkChecks(k *checker) {
	primary, primaryOK := c.checkCheck(k, "SWITCHYARD_PRIMARY_CHECK", c.PrimaryCheck)
	standby, standbyOK := c.checkCheck(k, "SWITCHYARD_STANDBY_CHECK", c.StandbyCheck)
	if primaryOK && standbyOK && c.PrimaryCheck == c.StandbyCheck {
		k.add("SWITCHYARD_STANDBY_CHECK", "is the same as SWITCHYARD_PRIMARY_CHECK: the standby must be checked on its own origin")
	}
	if c.CheckSHA256 != "" && !sha256Hex.MatchString(c.CheckSHA256) {
		k.add("SWITCHYARD_CHECK_SHA256", "%q: want 64 lower-case hex digits, as sha256sum prints them", c.CheckSHA256)
	}
	if k.usable("SWITCHYARD_LATENCY_BUDGET", "SWITCHYARD_PROBE_TIMEOUT") {
		budgetOK := positive(k, "SWITCHYARD_LATENCY_BUDGET", c.LatencyBudget)
		timeoutOK := positive(k, "SWITCHYARD_PROBE_TIMEOUT", c.ProbeTimeout)
		if budgetOK && timeoutOK && c.LatencyBudget > c.ProbeTimeout {
			k.add("SWITCHYARD_LATENCY_BUDGET", "%v is longer than SWITCHYARD_PROBE_TIMEOUT (%v): a check would time out before it could count as slow", c.LatencyBudget, c.ProbeTimeout)
		}
	}
	c.checkS3Keys(k, "PRIMARY", primary, primaryOK, c.PrimaryS3AccessKeyID, c.PrimaryS3SecretAccessKey)
	c.checkS3Keys(k, "STANDBY", standby, standbyOK, c.StandbyS3AccessKeyID, c.StandbyS3SecretAccessKey)
}

func (c Config) checkCheck(k *checker, name, raw string) (probe.CheckURL, bool) {
	if !k.require(name, raw) {
		return probe.CheckURL{}, false
	}
	check, err := probe.ParseCheckURL(raw)
	if err != nil {
		k.add(name, "%v", err)
		return probe.CheckURL{}, false
	}
	return check, true
}

// checkS3Keys wants both halves of a static S3 key or neither, and only
// for an s3:// check. The secret half is only ever named, never shown.
func (c Config) checkS3Keys(k *checker, side string, check probe.CheckURL, checkOK bool, id string, secret Secret) {
	idName := "SWITCHYARD_" + side + "_S3_ACCESS_KEY_ID"
	secretName := "SWITCHYARD_" + side + "_S3_SECRET_ACCESS_KEY"
	switch {
	case id != "" && secret == "":
		k.add(secretName, "required when %s is set", idName)
	case id == "" && secret != "":
		k.add(idName, "required when %s is set", secretName)
	}
	if (id != "" || secret != "") && checkOK && check.Kind != probe.KindS3 {
		set := idName
		if id == "" {
			set = secretName
		}
		k.add(set, "is set but SWITCHYARD_%s_CHECK is not an s3:// check", side)
	}
}

func (c Config) checkVantages(k *checker) {
	vantageOK := k.require("SWITCHYARD_VANTAGE", c.Vantage)
	if vantageOK && !validVantageID(c.Vantage) {
		k.add("SWITCHYARD_VANTAGE", "%q: %s", c.Vantage, vantageIDForm)
		vantageOK = false
	}
	if vantageOK && len(c.Vantage) > state.MaxBy {
		// It is written as by= in the state TXT of every switch it makes,
		// where a longer one would be refused and every switch would fail.
		k.add("SWITCHYARD_VANTAGE", "%q is %d characters: at most %d fit in the state record's by= field", c.Vantage, len(c.Vantage), state.MaxBy)
		vantageOK = false
	}
	if !k.usable("SWITCHYARD_PEERS") {
		return
	}
	for _, p := range c.Peers {
		if vantageOK && p.ID == c.Vantage {
			k.add("SWITCHYARD_VANTAGE", "%s is also listed in SWITCHYARD_PEERS: a vantage point must not be its own peer", c.Vantage)
		}
		if len(p.ID) > state.MaxBy {
			k.add("SWITCHYARD_PEERS", "id %q is %d characters: at most %d fit in the state record's by= field, so that vantage point could never switch", p.ID, len(p.ID), state.MaxBy)
		}
	}
	if len(c.Peers) > 0 && c.Secret == "" {
		k.add("SWITCHYARD_SECRET", "required when SWITCHYARD_PEERS is set: %s", describe("SWITCHYARD_SECRET"))
	}
	if c.Secret != "" && len(c.Secret.Reveal()) < 32 {
		k.add("SWITCHYARD_SECRET", "is shorter than 32 bytes: use e.g. the output of openssl rand -hex 32")
	}

	n := 1 + len(c.Peers) // this vantage point counts even when VANTAGE is missing
	if k.usable("SWITCHYARD_QUORUM") {
		switch {
		case c.Quorum < 0:
			k.add("SWITCHYARD_QUORUM", "%d is negative: want 0 (a majority) up to the %s", c.Quorum, plural(n, "configured vantage point"))
		case c.Quorum > n:
			k.add("SWITCHYARD_QUORUM", "%d is larger than the %s", c.Quorum, plural(n, "configured vantage point"))
		case c.Quorum > 0 && c.Quorum < quorum.Majority(n):
			// Down votes are never weighed against up votes: with less than
			// a majority, two halves that see the primary differently could
			// each reach the quorum, and a cut-off half would switch.
			k.add("SWITCHYARD_QUORUM", "%d is less than a strict majority of the %s: want 0 (a majority, %d) or %d to %d, so that no half of them can switch against the other",
				c.Quorum, plural(n, "configured vantage point"), quorum.Majority(n), quorum.Majority(n), n)
		}
	}
	if k.usable("SWITCHYARD_MIN_PROVIDERS") {
		providers := c.Providers()
		switch {
		case c.MinProviders < 0:
			k.add("SWITCHYARD_MIN_PROVIDERS", "%d is negative: want 0 (automatic) up to the number of distinct providers", c.MinProviders)
		case vantageOK && c.MinProviders > len(providers):
			k.add("SWITCHYARD_MIN_PROVIDERS", "%d is larger than the %s (%s)", c.MinProviders, plural(len(providers), "configured provider"), strings.Join(providers, ", "))
		}
	}
}

func (c Config) checkTiming(k *checker) {
	if k.usable("SWITCHYARD_PEER_TIMEOUT") {
		positive(k, "SWITCHYARD_PEER_TIMEOUT", c.PeerTimeout)
	}
	if k.usable("SWITCHYARD_CLOCK_SKEW") {
		positive(k, "SWITCHYARD_CLOCK_SKEW", c.ClockSkew)
	}
	if k.usable("SWITCHYARD_INTERVAL") && positive(k, "SWITCHYARD_INTERVAL", c.Interval) {
		if k.usable("SWITCHYARD_PROBE_TIMEOUT") && c.ProbeTimeout > 0 && c.Interval <= c.ProbeTimeout {
			k.add("SWITCHYARD_INTERVAL", "%v is not longer than SWITCHYARD_PROBE_TIMEOUT (%v): a probe round must end before the next begins", c.Interval, c.ProbeTimeout)
		}
		if k.usable("SWITCHYARD_PEER_TIMEOUT") && k.usable("SWITCHYARD_PROBE_TIMEOUT") && c.PeerTimeout > 0 && len(c.Peers) > 0 && c.PeerTimeout <= c.ProbeTimeout {
			k.add("SWITCHYARD_PEER_TIMEOUT", "%v is not longer than SWITCHYARD_PROBE_TIMEOUT (%v): a peer checks the origin before it answers, so during a hanging outage every peer would time out and abstain", c.PeerTimeout, c.ProbeTimeout)
		}
		if k.usable("SWITCHYARD_PEER_TIMEOUT") && c.PeerTimeout > 0 && c.PeerTimeout >= c.Interval {
			k.add("SWITCHYARD_PEER_TIMEOUT", "%v is not shorter than SWITCHYARD_INTERVAL (%v): asking peers must end before the next round", c.PeerTimeout, c.Interval)
		}
	}
	if k.usable("SWITCHYARD_FAST_INTERVAL") {
		switch {
		case c.FastInterval < 0:
			k.add("SWITCHYARD_FAST_INTERVAL", "%v is negative: want 0 (SWITCHYARD_INTERVAL/5) or a duration up to SWITCHYARD_INTERVAL", c.FastInterval)
		case k.usable("SWITCHYARD_INTERVAL") && c.Interval > 0 && c.FastInterval > c.Interval:
			k.add("SWITCHYARD_FAST_INTERVAL", "%v is longer than SWITCHYARD_INTERVAL (%v): re-checks on suspicion must come sooner than the regular rounds (set it equal to turn fast re-checks off)", c.FastInterval, c.Interval)
		}
	}
	if k.usable("SWITCHYARD_LAMBDA_SCHEDULE") && c.LambdaSchedule < 0 {
		k.add("SWITCHYARD_LAMBDA_SCHEDULE", "%v is negative: want the schedule's period, e.g. 1m (0: 1m)", c.LambdaSchedule)
	}
	if k.usable("SWITCHYARD_LAMBDA_HANDOVER") && k.usable("SWITCHYARD_LAMBDA_SCHEDULE") {
		switch {
		case c.LambdaHandover < 0:
			k.add("SWITCHYARD_LAMBDA_HANDOVER", "%v is negative: want 0 or more (10s: the next run may start up to 10 s late)", c.LambdaHandover)
		case c.LambdaHandover >= c.LambdaPeriod():
			k.add("SWITCHYARD_LAMBDA_HANDOVER", "%v is not shorter than SWITCHYARD_LAMBDA_SCHEDULE (%v): every run would still probe when the run after next starts", c.LambdaHandover, c.LambdaPeriod())
		}
	}
	if k.usable("SWITCHYARD_FAIL_AFTER") && c.FailAfter < 1 {
		k.add("SWITCHYARD_FAIL_AFTER", "%d: want 1 or more consecutive failed checks", c.FailAfter)
	}
	if k.usable("SWITCHYARD_RECOVER_AFTER") && c.RecoverAfter < 1 {
		k.add("SWITCHYARD_RECOVER_AFTER", "%d: want 1 or more consecutive healthy checks", c.RecoverAfter)
	}
	if c.Failback != "manual" && c.Failback != "auto" {
		k.add("SWITCHYARD_FAILBACK", "%q: want manual or auto", c.Failback)
	}
	if k.usable("SWITCHYARD_MIN_DWELL") && c.MinDwell < 0 {
		k.add("SWITCHYARD_MIN_DWELL", "%v is negative: want 0 or more", c.MinDwell)
	}
}

// cloudflareZoneID is what can safely sit in an API path; real ids are 32
// hex digits, the local world may use any such name.
var cloudflareZoneID = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func (c Config) checkDNS(k *checker) {
	names := c.DNSProviders()
	cloudflare, onlyCloudflare := false, len(names) > 0
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			k.add("SWITCHYARD_DNS_PROVIDER", "%q lists %s twice: want each provider once, e.g. cloudflare,route53", c.DNSProvider, name)
			continue
		}
		seen[name] = true
		onlyCloudflare = onlyCloudflare && name == "cloudflare"
		switch name {
		case "cloudflare":
			cloudflare = true
		case "rfc2136":
			c.checkRFC2136(k)
		case "route53":
			c.checkRoute53(k)
		case "":
			k.add("SWITCHYARD_DNS_PROVIDER", "%q has an empty entry: want cloudflare, route53 or rfc2136, or several separated by commas", c.DNSProvider)
		default:
			k.add("SWITCHYARD_DNS_PROVIDER", "%q is unknown: want cloudflare, route53 or rfc2136, or several separated by commas (e.g. cloudflare,route53)", name)
		}
	}
	if k.usable("SWITCHYARD_DNS_CACHE") && c.DNSCacheTTL < 0 {
		k.add("SWITCHYARD_DNS_CACHE", "%v is negative: want 0 (always read) or more", c.DNSCacheTTL)
	}
	if k.usable("SWITCHYARD_RECORD_TTL") && (c.RecordTTL < 60 || c.RecordTTL > 86400) && (c.RecordTTL != 1 || !onlyCloudflare) {
		k.add("SWITCHYARD_RECORD_TTL", "%d is out of range: want 60 to 86400 seconds, or 1 for Cloudflare's automatic TTL", c.RecordTTL)
	}
	if cloudflare {
		if err := probe.CheckBaseURL(c.CloudflareAPIURL); err != nil {
			k.add("SWITCHYARD_CLOUDFLARE_API_URL", "%v", err)
		}
		switch {
		case c.CloudflareZoneID == "":
			k.add("SWITCHYARD_CLOUDFLARE_ZONE_ID", "required when SWITCHYARD_DNS_PROVIDER is cloudflare: %s", describe("SWITCHYARD_CLOUDFLARE_ZONE_ID"))
		case !cloudflareZoneID.MatchString(c.CloudflareZoneID):
			k.add("SWITCHYARD_CLOUDFLARE_ZONE_ID", "%q: want the zone id shown in the Cloudflare dashboard (letters, digits, '-' and '_')", c.CloudflareZoneID)
		}
		if c.CloudflareAPIToken == "" {
			k.add("SWITCHYARD_CLOUDFLARE_API_TOKEN", "required when SWITCHYARD_DNS_PROVIDER is cloudflare (CLOUDFLARE_API_TOKEN is read too): %s", describe("SWITCHYARD_CLOUDFLARE_API_TOKEN"))
		}
	}
	if k.usable("SWITCHYARD_PORT") && (c.Port < 0 || c.Port > 65535) {
		k.add("SWITCHYARD_PORT", "%d is out of range: want 1 to 65535 (0 picks a free port)", c.Port)
	}
}

// positive reports a duration that is zero or negative and returns
// whether it is positive.
func positive(k *checker, name string, d time.Duration) bool {
	if d <= 0 {
		k.add(name, "%v: want a positive duration, e.g. 10s", d)
		return false
	}
	return true
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
