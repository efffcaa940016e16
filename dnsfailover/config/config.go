// Package config loads switchyard's configuration from SWITCHYARD_*
// environment variables into one struct, validates all of it at once and
// renders the usage table that --help and README.md show.
package config

import "time"

// Prefix is put before every variable name, e.g. SWITCHYARD_RECORD.
const Prefix = "SWITCHYARD"

// Config is every setting of a switchyard function. The `desc` tag is the
// meaning shown in the usage table; `default` is applied by envconfig.
// Fields tagged `envconfig:"X"` are read from SWITCHYARD_X; only fields also
// tagged `unprefixed:"true"` fall back to plain X (CLOUDFLARE_API_TOKEN and
// PORT, as users and platforms set them). No other fallback: a stray
// INTERVAL or SECRET in an environment must never configure a failover.
type Config struct {
	Record        string `envconfig:"RECORD" desc:"the switched record, e.g. assets.example.com"`
	RecordType    string `envconfig:"RECORD_TYPE" default:"CNAME" desc:"CNAME, A or AAAA"`
	PrimaryTarget string `envconfig:"PRIMARY_TARGET" desc:"record content while the primary serves (hostname for CNAME, address for A/AAAA)"`
	StandbyTarget string `envconfig:"STANDBY_TARGET" desc:"record content after failover, same form as SWITCHYARD_PRIMARY_TARGET"`
	Group         Group  `envconfig:"GROUP" desc:"more records switched with SWITCHYARD_RECORD as one failover group, in the same atomic write: comma-separated entries 'name type primary standby', e.g. 'assets.example.com AAAA 2001:db8::10 2001:db8::20,img.example.com CNAME img.primary.example.net img.standby.example.net' (the state TXT stays on SWITCHYARD_RECORD; empty: that record alone)"`
	PrimaryCheck  string `envconfig:"PRIMARY_CHECK" desc:"canary on the primary: https://host/key, or s3://bucket/key?endpoint=URL&region=R for a SigV4 GetObject"`
	StandbyCheck  string `envconfig:"STANDBY_CHECK" desc:"canary on the standby, same forms as SWITCHYARD_PRIMARY_CHECK"`

	CheckSHA256   string        `envconfig:"CHECK_SHA256" desc:"expected SHA-256 of the canary body, 64 lower-case hex digits as sha256sum prints (empty: not checked)"`
	CheckContains string        `envconfig:"CHECK_CONTAINS" desc:"substring the canary body must contain (empty: not checked)"`
	LatencyBudget time.Duration `envconfig:"LATENCY_BUDGET" default:"2s" desc:"a check slower than this counts as failed; at most SWITCHYARD_PROBE_TIMEOUT"`
	ProbeTimeout  time.Duration `envconfig:"PROBE_TIMEOUT" default:"3s" desc:"hard timeout of one check; must be shorter than SWITCHYARD_INTERVAL"`

	PrimaryS3AccessKeyID     string `envconfig:"PRIMARY_S3_ACCESS_KEY_ID" desc:"access key for an s3:// primary check (empty: the default AWS credential chain)"`
	PrimaryS3SecretAccessKey Secret `envconfig:"PRIMARY_S3_SECRET_ACCESS_KEY" desc:"secret key for an s3:// primary check"`
	StandbyS3AccessKeyID     string `envconfig:"STANDBY_S3_ACCESS_KEY_ID" desc:"access key for an s3:// standby check (empty: the default AWS credential chain)"`
	StandbyS3SecretAccessKey Secret `envconfig:"STANDBY_S3_SECRET_ACCESS_KEY" desc:"secret key for an s3:// standby check"`

	Vantage     string        `envconfig:"VANTAGE" desc:"this vantage point's id, provider:region, e.g. aws:us-east-1"`
	Peers       Peers         `envconfig:"PEERS" desc:"the other vantage points, id=url,id=url (url of their /observe base)"`
	Secret      Secret        `envconfig:"SECRET" desc:"shared HMAC key for peer messages (at least 32 bytes)"`
	PeerTimeout time.Duration `envconfig:"PEER_TIMEOUT" default:"5s" desc:"how long to wait for a peer's fresh observation; longer than SWITCHYARD_PROBE_TIMEOUT (the peer checks the origin first) and shorter than SWITCHYARD_INTERVAL; a peer that does not answer abstains"`
	ClockSkew   time.Duration `envconfig:"CLOCK_SKEW" default:"30s" desc:"peer messages older or newer than this are rejected"`

	SecretPrevious Secret `envconfig:"SECRET_PREVIOUS" desc:"while rotating keys: a second HMAC key accepted on peer requests but never sent (at least 32 bytes; empty when not rotating)"`

	Quorum       int `envconfig:"QUORUM" default:"0" desc:"down votes needed to switch, from all configured vantage points (0: a strict majority; less than a majority is refused)"`
	MinProviders int `envconfig:"MIN_PROVIDERS" default:"0" desc:"distinct providers needed among the down votes (0: 2 when two or more are configured, else 1)"`

	Interval     time.Duration `envconfig:"INTERVAL" default:"10s" desc:"time between probe rounds"`
	FastInterval time.Duration `envconfig:"FAST_INTERVAL" default:"0" desc:"time between re-checks after a failed check of the primary while traffic is on it, until SWITCHYARD_FAIL_AFTER failures or a success (0: SWITCHYARD_INTERVAL/5; equal to SWITCHYARD_INTERVAL: no fast re-checks). An outage shorter than (SWITCHYARD_FAIL_AFTER-1) times this never causes a failover"`
	FailAfter    int           `envconfig:"FAIL_AFTER" default:"3" desc:"consecutive failed checks of the primary before asking peers"`
	RecoverAfter int           `envconfig:"RECOVER_AFTER" default:"5" desc:"consecutive healthy checks of the primary before automatic failback"`
	Failback     string        `envconfig:"FAILBACK" default:"manual" desc:"manual or auto"`
	MinDwell     time.Duration `envconfig:"MIN_DWELL" default:"10m" desc:"least time on the standby before automatic failback"`
	// The Lambda form's schedule: each scheduled run probes until the next
	// is due plus the hand-over, so runs overlap by about one round.
	LambdaSchedule time.Duration `envconfig:"LAMBDA_SCHEDULE" default:"1m" desc:"Lambda form only: how often the schedule starts a run (template.yaml: rate(1 minute); change both together; 0: 1m)"`
	LambdaHandover time.Duration `envconfig:"LAMBDA_HANDOVER" default:"10s" desc:"Lambda form only: how late the next scheduled run may start with the region still probing every SWITCHYARD_INTERVAL; a run starts regular rounds until SWITCHYARD_LAMBDA_SCHEDULE plus this after its start, so each run is billed about SWITCHYARD_LAMBDA_SCHEDULE plus this less one interval"`

	DNSProvider        string        `envconfig:"DNS_PROVIDER" default:"cloudflare" desc:"cloudflare, route53 or rfc2136; or several, comma-separated (cloudflare,route53), all written on every switch"`
	DNSCacheTTL        time.Duration `envconfig:"DNS_CACHE" default:"1m" desc:"at steady state the DNS API is read at most this often"`
	RecordTTL          int           `envconfig:"RECORD_TTL" default:"60" desc:"TTL in seconds written on the switched record (a record proxied by Cloudflare keeps its automatic TTL) and state TXT: 60 to 86400 (Cloudflare's range below Enterprise), or 1 for Cloudflare's automatic TTL"`
	CloudflareAPIURL   string        `envconfig:"CLOUDFLARE_API_URL" default:"https://api.cloudflare.com/client/v4" desc:"Cloudflare API base URL (the local world points this at its own service)"`
	CloudflareZoneID   string        `envconfig:"CLOUDFLARE_ZONE_ID" desc:"id of the Cloudflare zone holding the record"`
	CloudflareAPIToken Secret        `envconfig:"CLOUDFLARE_API_TOKEN" unprefixed:"true" desc:"Cloudflare API token with Zone DNS Edit on that zone"`

	Route53HostedZoneID string `envconfig:"ROUTE53_HOSTED_ZONE_ID" desc:"id of the Route 53 hosted zone holding the record, e.g. Z0123456789ABCDEFGHIJ (credentials: the default AWS chain, e.g. the Lambda role)"`
	Route53EndpointURL  string `envconfig:"ROUTE53_ENDPOINT_URL" desc:"Route 53 API endpoint (empty: AWS's; the local world points this at its own service)"`

	RFC2136Server        string `envconfig:"RFC2136_SERVER" desc:"host:port of the primary DNS server that accepts RFC 2136 updates for the zone, e.g. ns1.example.com:53"`
	RFC2136Zone          string `envconfig:"RFC2136_ZONE" desc:"the zone holding the record, as that server serves it, e.g. example.com"`
	RFC2136TSIGKeyName   string `envconfig:"RFC2136_TSIG_KEY_NAME" desc:"name of the TSIG key the server lets update the zone"`
	RFC2136TSIGAlgorithm string `envconfig:"RFC2136_TSIG_ALGORITHM" default:"hmac-sha256" desc:"that key's algorithm: hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384 or hmac-sha512"`
	RFC2136TSIGSecret    Secret `envconfig:"RFC2136_TSIG_SECRET" desc:"that key's base64 secret"`

	ParityKeys     string `envconfig:"PARITY_KEYS" desc:"sample object keys compared on primary and standby besides the canary, comma-separated, e.g. img/logo.png,index.html (each replaces the canary's key in both check URLs; at most 20)"`
	ParityRequired bool   `envconfig:"PARITY_REQUIRED" default:"true" desc:"refuse an automatic failover to a standby found missing or differing objects while the primary passed its own check (a manual move can still force it)"`
	ClientPath     string `envconfig:"CLIENT_PATH" default:"standby" desc:"check the canary the way clients reach it after a switch (at SWITCHYARD_RECORD's name through the target, TLS verified for that name): standby, primary, both or off. standby (the default) can only ever refuse a failover, never cause one; primary and both also count a primary that stops serving the record's name as failed"`
	ClientPathPort int    `envconfig:"CLIENT_PATH_PORT" default:"443" desc:"HTTPS port clients use at SWITCHYARD_RECORD's name"`
	ClientCA       string `envconfig:"CLIENT_CA" desc:"PEM file of the CA that signs the origins' certificates for a private setup (empty: the system roots)"`
	ClientResolver string `envconfig:"CLIENT_RESOLVER" desc:"host:port of the DNS server the client-path check resolves the targets with, for split-horizon or private zones (empty: the system's resolver)"`
	DrillRecord    string `envconfig:"DRILL_RECORD" desc:"record a drill switches to the standby and back, e.g. _drill.assets.example.com; it must exist, point at SWITCHYARD_PRIMARY_TARGET, and never be SWITCHYARD_RECORD"`
	DrillResolver  string `envconfig:"DRILL_RESOLVER" desc:"host:port of an authoritative DNS server the drill asks for the drill record's answer, e.g. ns1.example.com:53 (empty: that step is skipped)"`

	Notify              Secret `envconfig:"NOTIFY" parts:"true" desc:"where to tell people of switches, refusals and trouble: kind:value,... with kind slack (incoming-webhook URL), pagerduty (Events API v2 routing key) or webhook (URL, signed with SWITCHYARD_NOTIFY_WEBHOOK_SECRET), e.g. slack:https://hooks.slack.com/services/T/B/X,pagerduty:R0UT1NGKEY; each value may be an ssm:/ or ARN reference (empty: no notifications; see dnsfailover/notify/README.md)"`
	NotifyWebhookSecret Secret `envconfig:"NOTIFY_WEBHOOK_SECRET" desc:"HMAC-SHA256 key the webhook receivers of SWITCHYARD_NOTIFY verify the Switchyard-Signature header with (at least 32 bytes; required with a webhook receiver)"`
	NotifyDNSFailures   int    `envconfig:"NOTIFY_DNS_FAILURES" default:"3" desc:"rounds in a row with a failed DNS write before a dns_failing notification"`
	PagerDutyURL        string `envconfig:"PAGERDUTY_URL" default:"https://events.pagerduty.com/v2/enqueue" desc:"PagerDuty Events API v2 endpoint (the local world points this at its own receiver)"`

	DryRun bool `envconfig:"DRY_RUN" default:"false" desc:"log the DNS changes that would be made instead of making them"`
	Port   int  `envconfig:"PORT" unprefixed:"true" default:"8080" desc:"listen port of 'probe serve' (0: any free port)"`
}
