package config

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestLoadValid(t *testing.T) {
	setEnv(t, validEnv(), nil)
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Config{
		Record:                   "assets.example.com",
		RecordType:               "CNAME",
		PrimaryTarget:            "primary.example.net",
		StandbyTarget:            "standby.example.org",
		PrimaryCheck:             "https://primary.example.net/canary.txt",
		StandbyCheck:             "s3://standby-bucket/canary.txt?endpoint=http://127.0.0.1:9000&region=auto",
		LatencyBudget:            2 * time.Second,
		ProbeTimeout:             3 * time.Second,
		StandbyS3AccessKeyID:     "AKIDEXAMPLE",
		StandbyS3SecretAccessKey: testS3Key,
		Vantage:                  "aws:us-east-1",
		Peers: Peers{
			{ID: "aws:eu-west-1", URL: "https://eu.example/observe"},
			{ID: "gcp:europe-west1", URL: "https://gcp.example"},
		},
		Secret:               testSecret,
		PeerTimeout:          5 * time.Second,
		ClockSkew:            30 * time.Second,
		Interval:             10 * time.Second,
		FailAfter:            3,
		RecoverAfter:         5,
		Failback:             "manual",
		MinDwell:             10 * time.Minute,
		LambdaSchedule:       time.Minute,
		LambdaHandover:       10 * time.Second,
		DNSProvider:          "cloudflare",
		DNSCacheTTL:          time.Minute,
		RecordTTL:            60,
		CloudflareAPIURL:     "https://api.cloudflare.com/client/v4",
		CloudflareZoneID:     "023e105f4ecef8ad9ca31a8372d0c353",
		CloudflareAPIToken:   testToken,
		RFC2136TSIGAlgorithm: "hmac-sha256",
		ParityRequired:       true,
		ClientPath:           "standby",
		ClientPathPort:       443,
		NotifyDNSFailures:    3,
		PagerDutyURL:         "https://events.pagerduty.com/v2/enqueue",
		Port:                 8080,
	}
	if !reflect.DeepEqual(c, want) {
		// %+v redacts secrets; the secret fields are compared below.
		t.Errorf("Load:\n got %+v\nwant %+v", c, want)
	}
	if c.Secret.Reveal() != testSecret || c.CloudflareAPIToken.Reveal() != testToken {
		t.Error("secrets were not loaded as set")
	}
}

// TestLoadValidVariants loads other valid shapes on top of validEnv.
func TestLoadValidVariants(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"A record", map[string]string{"SWITCHYARD_RECORD_TYPE": "A", "SWITCHYARD_PRIMARY_TARGET": "192.0.2.10", "SWITCHYARD_STANDBY_TARGET": "198.51.100.20"}},
		{"AAAA record", map[string]string{"SWITCHYARD_RECORD_TYPE": "AAAA", "SWITCHYARD_PRIMARY_TARGET": "2001:db8::10", "SWITCHYARD_STANDBY_TARGET": "2001:db8::20"}},
		{"single vantage point without secret", map[string]string{"SWITCHYARD_PEERS": unset, "SWITCHYARD_SECRET": unset}},
		{"blank peers", map[string]string{"SWITCHYARD_PEERS": "  "}},
		{"automatic TTL", map[string]string{"SWITCHYARD_RECORD_TTL": "1"}},
		{"two DNS providers", map[string]string{"SWITCHYARD_DNS_PROVIDER": "cloudflare,route53", "SWITCHYARD_ROUTE53_HOSTED_ZONE_ID": "Z0123456789ABCDEFGHIJ"}},
		{"quorum and providers at their maximum", map[string]string{"SWITCHYARD_QUORUM": "3", "SWITCHYARD_MIN_PROVIDERS": "2"}},
		{"auto failback, no dwell", map[string]string{"SWITCHYARD_FAILBACK": "auto", "SWITCHYARD_MIN_DWELL": "0s"}},
		{"http checks, default credentials", map[string]string{
			"SWITCHYARD_STANDBY_CHECK":                "http://127.0.0.1:8081/canary.txt?x=1",
			"SWITCHYARD_STANDBY_S3_ACCESS_KEY_ID":     unset,
			"SWITCHYARD_STANDBY_S3_SECRET_ACCESS_KEY": unset,
		}},
		{"s3 check on AWS itself", map[string]string{"SWITCHYARD_PRIMARY_CHECK": "s3://assets-primary/canary.txt"}},
		{"unprefixed token and port", map[string]string{"SWITCHYARD_CLOUDFLARE_API_TOKEN": unset, "CLOUDFLARE_API_TOKEN": "cf-token-from-the-usual-variable", "PORT": "9090"}},
		{"local API, dry run", map[string]string{"SWITCHYARD_CLOUDFLARE_API_URL": "http://127.0.0.1:4000/client/v4", "SWITCHYARD_DRY_RUN": "true", "SWITCHYARD_CLOUDFLARE_ZONE_ID": "local-zone"}},
		{"sha256 check", map[string]string{"SWITCHYARD_CHECK_SHA256": strings.Repeat("0123456789abcdef", 4)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, validEnv(), tt.env)
			if _, err := Load(); err != nil {
				t.Fatalf("Load: %v", err)
			}
		})
	}
}

// TestLoadInvalid pairs each invalid environment with the exact problem
// lines it must produce.
func TestLoadInvalid(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{
			name: "missing required variables",
			env: map[string]string{
				"SWITCHYARD_RECORD": unset, "SWITCHYARD_PRIMARY_TARGET": unset, "SWITCHYARD_STANDBY_TARGET": unset,
				"SWITCHYARD_PRIMARY_CHECK": unset, "SWITCHYARD_STANDBY_CHECK": unset, "SWITCHYARD_VANTAGE": unset,
				"SWITCHYARD_STANDBY_S3_ACCESS_KEY_ID": unset, "SWITCHYARD_STANDBY_S3_SECRET_ACCESS_KEY": unset,
			},
			want: []string{
				"SWITCHYARD_RECORD: required: the switched record, e.g. assets.example.com",
				"SWITCHYARD_PRIMARY_TARGET: required: record content while the primary serves (hostname for CNAME, address for A/AAAA)",
				"SWITCHYARD_STANDBY_TARGET: required: record content after failover, same form as SWITCHYARD_PRIMARY_TARGET",
				"SWITCHYARD_PRIMARY_CHECK: required: canary on the primary: https://host/key, or s3://bucket/key?endpoint=URL&region=R for a SigV4 GetObject",
				"SWITCHYARD_STANDBY_CHECK: required: canary on the standby, same forms as SWITCHYARD_PRIMARY_CHECK",
				"SWITCHYARD_VANTAGE: required: this vantage point's id, provider:region, e.g. aws:us-east-1",
			},
		},
		{
			name: "record with a trailing dot",
			env:  map[string]string{"SWITCHYARD_RECORD": "assets.example.com."},
			want: []string{`SWITCHYARD_RECORD: "assets.example.com." ends with '.': write it without the trailing dot, e.g. assets.example.com`},
		},
		{
			name: "record with an underscore",
			env:  map[string]string{"SWITCHYARD_RECORD": "my_assets.example.com"},
			want: []string{`SWITCHYARD_RECORD: "my_assets.example.com" has an invalid label "my_assets": want letters, digits and '-' (not first or last), e.g. assets.example.com`},
		},
		{
			name: "record of one label",
			env:  map[string]string{"SWITCHYARD_RECORD": "assets"},
			want: []string{`SWITCHYARD_RECORD: "assets" is a single label: want a full DNS name, e.g. assets.example.com`},
		},
		{
			name: "record with an empty label",
			env:  map[string]string{"SWITCHYARD_RECORD": "assets..example.com"},
			want: []string{`SWITCHYARD_RECORD: "assets..example.com" has an empty label: want a DNS name, e.g. assets.example.com`},
		},
		{
			name: "unsupported record type",
			env:  map[string]string{"SWITCHYARD_RECORD_TYPE": "cname"},
			want: []string{`SWITCHYARD_RECORD_TYPE: "cname" is not supported: want CNAME, A or AAAA`},
		},
		{
			name: "A record with hostname and IPv6 targets",
			env:  map[string]string{"SWITCHYARD_RECORD_TYPE": "A", "SWITCHYARD_STANDBY_TARGET": "2001:db8::1"},
			want: []string{
				`SWITCHYARD_PRIMARY_TARGET: "primary.example.net" is not an IPv4 address: SWITCHYARD_RECORD_TYPE A needs one, e.g. 192.0.2.10`,
				`SWITCHYARD_STANDBY_TARGET: "2001:db8::1" is not an IPv4 address: SWITCHYARD_RECORD_TYPE A needs one, e.g. 192.0.2.10`,
			},
		},
		{
			name: "AAAA record with IPv4 and mapped targets",
			env:  map[string]string{"SWITCHYARD_RECORD_TYPE": "AAAA", "SWITCHYARD_PRIMARY_TARGET": "192.0.2.1", "SWITCHYARD_STANDBY_TARGET": "::ffff:192.0.2.2"},
			want: []string{
				`SWITCHYARD_PRIMARY_TARGET: "192.0.2.1" is not an IPv6 address: SWITCHYARD_RECORD_TYPE AAAA needs one, e.g. 2001:db8::10`,
				`SWITCHYARD_STANDBY_TARGET: "::ffff:192.0.2.2" is not an IPv6 address: SWITCHYARD_RECORD_TYPE AAAA needs one, e.g. 2001:db8::10`,
			},
		},
		{
			name: "CNAME to an address and to itself",
			env:  map[string]string{"SWITCHYARD_PRIMARY_TARGET": "192.0.2.1", "SWITCHYARD_STANDBY_TARGET": "Assets.Example.com"},
			want: []string{
				`SWITCHYARD_PRIMARY_TARGET: "192.0.2.1" is an IP address: SWITCHYARD_RECORD_TYPE CNAME needs a hostname (use A or AAAA for addresses)`,
				`SWITCHYARD_STANDBY_TARGET: "Assets.Example.com" is SWITCHYARD_RECORD itself: a CNAME cannot point at its own name`,
			},
		},
		{
			name: "group entries with the wrong number of fields",
			env:  map[string]string{"SWITCHYARD_GROUP": "img.example.com CNAME a.example.net,cdn.example.com A 192.0.2.1 192.0.2.2 extra"},
			want: []string{
				`SWITCHYARD_GROUP: entry 1 "img.example.com CNAME a.example.net" has 3 fields: want 'name type primary standby', e.g. 'img.example.com CNAME img.primary.example.net img.standby.example.net'; entry 2 "cdn.example.com A 192.0.2.1 192.0.2.2 extra" has 5 fields: want 'name type primary standby', e.g. 'img.example.com CNAME img.primary.example.net img.standby.example.net'`,
			},
		},
		{
			name: "group problems all at once",
			env: map[string]string{"SWITCHYARD_GROUP": "img.example.com AAAA 192.0.2.1 2001:db8::1," +
				"assets.example.com A 192.0.2.1 192.0.2.2," +
				"cdn.example.com MX a.example.net b.example.net," +
				"Img.example.com AAAA 2001:db8::2 2001:DB8::2," +
				"www CNAME www.example.com www.example.com," +
				"cdn2.example.com CNAME cdn2.example.com x.example.net"},
			want: []string{
				`SWITCHYARD_GROUP: entry 1 (img.example.com AAAA): primary target "192.0.2.1" is not an IPv6 address: type AAAA needs one, e.g. 2001:db8::10`,
				`SWITCHYARD_GROUP: entry 2 (assets.example.com A): SWITCHYARD_RECORD is a CNAME at the same name: a CNAME cannot share its name with another record`,
				`SWITCHYARD_GROUP: entry 3 (cdn.example.com MX): type "MX" is not supported: want CNAME, A or AAAA`,
				`SWITCHYARD_GROUP: entry 4 (img.example.com AAAA): primary and standby target are the same ("2001:db8::2"): switching it would change nothing`,
				`SWITCHYARD_GROUP: entry 4 (img.example.com AAAA): the same record as entry 1: name each record once`,
				`SWITCHYARD_GROUP: entry 5 (www CNAME): name "www" is a single label: want a full DNS name, e.g. assets.example.com`,
				`SWITCHYARD_GROUP: entry 5 (www CNAME): primary and standby target are the same ("www.example.com"): switching it would change nothing`,
				`SWITCHYARD_GROUP: entry 6 (cdn2.example.com CNAME): primary target "cdn2.example.com" is the entry's own name itself: a CNAME cannot point at its own name`,
			},
		},
		{
			name: "same hostname targets",
			env:  map[string]string{"SWITCHYARD_STANDBY_TARGET": "PRIMARY.example.net"},
			want: []string{`SWITCHYARD_STANDBY_TARGET: "PRIMARY.example.net" is the same as SWITCHYARD_PRIMARY_TARGET: failing over would change nothing`},
		},
		{
			name: "same address targets written differently",
			env:  map[string]string{"SWITCHYARD_RECORD_TYPE": "AAAA", "SWITCHYARD_PRIMARY_TARGET": "2001:db8::1", "SWITCHYARD_STANDBY_TARGET": "2001:DB8:0::1"},
			want: []string{`SWITCHYARD_STANDBY_TARGET: "2001:DB8:0::1" is the same as SWITCHYARD_PRIMARY_TARGET: failing over would change nothing`},
		},
		{
			name: "checks of unknown scheme and without host",
			env:  map[string]string{"SWITCHYARD_PRIMARY_CHECK": "ftp://primary.example.net/canary", "SWITCHYARD_STANDBY_CHECK": "https:///canary"},
			want: []string{
				`SWITCHYARD_PRIMARY_CHECK: "ftp://primary.example.net/canary": want https://host/key, http://host/key or s3://bucket/key`,
				`SWITCHYARD_STANDBY_CHECK: "https:///canary" has no host: want https://host/key, http://host/key or s3://bucket/key`,
			},
		},
		{
			name: "s3 check problems all at once",
			env:  map[string]string{"SWITCHYARD_STANDBY_CHECK": "s3://standby-bucket?endpoint=ftp://x&region=US_EAST&acl=private&sse=1"},
			want: []string{
				`SWITCHYARD_STANDBY_CHECK: no object key: want s3://bucket/key; unknown parameter acl, sse: only endpoint and region are allowed; endpoint "ftp://x": want an absolute http:// or https:// URL; region "US_EAST": want a region such as us-east-1`,
			},
		},
		{
			name: "check with credentials in the URL",
			env:  map[string]string{"SWITCHYARD_PRIMARY_CHECK": "https://user:" + testS3Key + "@primary.example.net/canary"},
			want: []string{`SWITCHYARD_PRIMARY_CHECK: must not contain user info: credentials do not belong in a URL`},
		},
		{
			name: "same check twice",
			env:  map[string]string{"SWITCHYARD_STANDBY_CHECK": "https://primary.example.net/canary.txt", "SWITCHYARD_STANDBY_S3_ACCESS_KEY_ID": unset, "SWITCHYARD_STANDBY_S3_SECRET_ACCESS_KEY": unset},
			want: []string{`SWITCHYARD_STANDBY_CHECK: is the same as SWITCHYARD_PRIMARY_CHECK: the standby must be checked on its own origin`},
		},
		{
			name: "bad sha256",
			env:  map[string]string{"SWITCHYARD_CHECK_SHA256": strings.Repeat("AB", 32)},
			want: []string{`SWITCHYARD_CHECK_SHA256: "` + strings.Repeat("AB", 32) + `": want 64 lower-case hex digits, as sha256sum prints them`},
		},
		{
			name: "latency budget over probe timeout",
			env:  map[string]string{"SWITCHYARD_LATENCY_BUDGET": "5s"},
			want: []string{`SWITCHYARD_LATENCY_BUDGET: 5s is longer than SWITCHYARD_PROBE_TIMEOUT (3s): a check would time out before it could count as slow`},
		},
		{
			name: "zero durations",
			env:  map[string]string{"SWITCHYARD_LATENCY_BUDGET": "0s", "SWITCHYARD_PROBE_TIMEOUT": "-1s", "SWITCHYARD_CLOCK_SKEW": "0s", "SWITCHYARD_PEER_TIMEOUT": "0s"},
			want: []string{
				`SWITCHYARD_LATENCY_BUDGET: 0s: want a positive duration, e.g. 10s`,
				`SWITCHYARD_PROBE_TIMEOUT: -1s: want a positive duration, e.g. 10s`,
				`SWITCHYARD_PEER_TIMEOUT: 0s: want a positive duration, e.g. 10s`,
				`SWITCHYARD_CLOCK_SKEW: 0s: want a positive duration, e.g. 10s`,
			},
		},
		{
			name: "half of each S3 key",
			env: map[string]string{
				"SWITCHYARD_PRIMARY_CHECK":                "s3://primary-bucket/canary.txt",
				"SWITCHYARD_PRIMARY_S3_ACCESS_KEY_ID":     "AKIDEXAMPLE",
				"SWITCHYARD_STANDBY_S3_ACCESS_KEY_ID":     unset,
				"SWITCHYARD_STANDBY_S3_SECRET_ACCESS_KEY": testS3Key,
			},
			want: []string{
				`SWITCHYARD_PRIMARY_S3_SECRET_ACCESS_KEY: required when SWITCHYARD_PRIMARY_S3_ACCESS_KEY_ID is set`,
				`SWITCHYARD_STANDBY_S3_ACCESS_KEY_ID: required when SWITCHYARD_STANDBY_S3_SECRET_ACCESS_KEY is set`,
			},
		},
		{
			name: "S3 key for an https check",
			env:  map[string]string{"SWITCHYARD_PRIMARY_S3_ACCESS_KEY_ID": "AKIDEXAMPLE", "SWITCHYARD_PRIMARY_S3_SECRET_ACCESS_KEY": testS3Key},
			want: []string{`SWITCHYARD_PRIMARY_S3_ACCESS_KEY_ID: is set but SWITCHYARD_PRIMARY_CHECK is not an s3:// check`},
		},
		{
			name: "vantage id not provider:region",
			env:  map[string]string{"SWITCHYARD_VANTAGE": "AWS-us-east-1"},
			want: []string{`SWITCHYARD_VANTAGE: "AWS-us-east-1": want provider:region, lower-case letters, digits and dashes, e.g. aws:us-east-1`},
		},
		{
			name: "vantage is its own peer",
			env:  map[string]string{"SWITCHYARD_VANTAGE": "aws:eu-west-1"},
			want: []string{`SWITCHYARD_VANTAGE: aws:eu-west-1 is also listed in SWITCHYARD_PEERS: a vantage point must not be its own peer`},
		},
		{
			name: "peers that cannot be parsed",
			env:  map[string]string{"SWITCHYARD_PEERS": "aws:eu-west-1=https://a.example,aws:eu-west-1=https://b.example,,gcp=https://g.example,azure:westeurope,oci:x=ftp://o.example"},
			want: []string{
				`SWITCHYARD_PEERS: entry 2: id aws:eu-west-1 is listed more than once; entry 3 is empty; entry 4: id "gcp": want provider:region, lower-case letters, digits and dashes, e.g. aws:us-east-1; entry 5 has no '=': want id=url; entry 6 (oci:x): url "ftp://o.example": want an absolute http:// or https:// URL`,
			},
		},
		{
			name: "peers without a secret",
			env:  map[string]string{"SWITCHYARD_SECRET": unset},
			want: []string{`SWITCHYARD_SECRET: required when SWITCHYARD_PEERS is set: shared HMAC key for peer messages (at least 32 bytes)`},
		},
		{
			name: "short secret",
			env:  map[string]string{"SWITCHYARD_SECRET": "short-secret-DO-NOT-PRINT"},
			want: []string{`SWITCHYARD_SECRET: is shorter than 32 bytes: use e.g. the output of openssl rand -hex 32`},
		},
		{
			name: "quorum larger than the vantage points",
			env: map[string]string{
				"SWITCHYARD_PEERS":  "aws:eu-west-1=https://a.example,aws:ap-south-1=https://b.example,gcp:us-central1=https://c.example,gcp:asia-east1=https://d.example",
				"SWITCHYARD_QUORUM": "6",
			},
			want: []string{`SWITCHYARD_QUORUM: 6 is larger than the 5 configured vantage points`},
		},
		{
			name: "negative quorum and min providers",
			env:  map[string]string{"SWITCHYARD_QUORUM": "-1", "SWITCHYARD_MIN_PROVIDERS": "-2"},
			want: []string{
				`SWITCHYARD_QUORUM: -1 is negative: want 0 (a majority) up to the 3 configured vantage points`,
				`SWITCHYARD_MIN_PROVIDERS: -2 is negative: want 0 (automatic) up to the number of distinct providers`,
			},
		},
		{
			name: "more providers than configured",
			env:  map[string]string{"SWITCHYARD_MIN_PROVIDERS": "3"},
			want: []string{`SWITCHYARD_MIN_PROVIDERS: 3 is larger than the 2 configured providers (aws, gcp)`},
		},
		{
			name: "quorum of 2 alone",
			env:  map[string]string{"SWITCHYARD_PEERS": unset, "SWITCHYARD_QUORUM": "2", "SWITCHYARD_MIN_PROVIDERS": "2"},
			want: []string{
				`SWITCHYARD_QUORUM: 2 is larger than the 1 configured vantage point`,
				`SWITCHYARD_MIN_PROVIDERS: 2 is larger than the 1 configured provider (aws)`,
			},
		},
		{
			name: "quorum below a strict majority",
			env: map[string]string{
				"SWITCHYARD_PEERS":  "aws:eu-west-1=https://a.example,gcp:us-central1=https://c.example,gcp:asia-east1=https://d.example",
				"SWITCHYARD_QUORUM": "2",
			},
			want: []string{`SWITCHYARD_QUORUM: 2 is less than a strict majority of the 4 configured vantage points: want 0 (a majority, 3) or 3 to 4, so that no half of them can switch against the other`},
		},
		{
			name: "vantage and peer ids too long for the state record",
			env: map[string]string{
				"SWITCHYARD_VANTAGE": "aws:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
				"SWITCHYARD_PEERS":   "aws:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaax=https://a.example,gcp:europe-west1=https://gcp.example",
			},
			want: []string{
				`SWITCHYARD_VANTAGE: "aws:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" is 65 characters: at most 64 fit in the state record's by= field`,
				`SWITCHYARD_PEERS: id "aws:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaax" is 66 characters: at most 64 fit in the state record's by= field, so that vantage point could never switch`,
			},
		},
		{
			name: "timeouts not shorter than the interval",
			env:  map[string]string{"SWITCHYARD_INTERVAL": "3s", "SWITCHYARD_PEER_TIMEOUT": "3s"},
			want: []string{
				`SWITCHYARD_INTERVAL: 3s is not longer than SWITCHYARD_PROBE_TIMEOUT (3s): a probe round must end before the next begins`,
				`SWITCHYARD_PEER_TIMEOUT: 3s is not longer than SWITCHYARD_PROBE_TIMEOUT (3s): a peer checks the origin before it answers, so during a hanging outage every peer would time out and abstain`,
				`SWITCHYARD_PEER_TIMEOUT: 3s is not shorter than SWITCHYARD_INTERVAL (3s): asking peers must end before the next round`,
			},
		},
		{
			name: "fast interval longer than the interval",
			env:  map[string]string{"SWITCHYARD_FAST_INTERVAL": "11s"},
			want: []string{`SWITCHYARD_FAST_INTERVAL: 11s is longer than SWITCHYARD_INTERVAL (10s): re-checks on suspicion must come sooner than the regular rounds (set it equal to turn fast re-checks off)`},
		},
		{
			name: "negative fast interval",
			env:  map[string]string{"SWITCHYARD_FAST_INTERVAL": "-2s"},
			want: []string{`SWITCHYARD_FAST_INTERVAL: -2s is negative: want 0 (SWITCHYARD_INTERVAL/5) or a duration up to SWITCHYARD_INTERVAL`},
		},
		{
			name: "Lambda hand-over as long as the schedule",
			env:  map[string]string{"SWITCHYARD_LAMBDA_HANDOVER": "1m"},
			want: []string{`SWITCHYARD_LAMBDA_HANDOVER: 1m0s is not shorter than SWITCHYARD_LAMBDA_SCHEDULE (1m0s): every run would still probe when the run after next starts`},
		},
		{
			name: "negative Lambda hand-over and schedule",
			env:  map[string]string{"SWITCHYARD_LAMBDA_HANDOVER": "-1s", "SWITCHYARD_LAMBDA_SCHEDULE": "-1m"},
			want: []string{
				`SWITCHYARD_LAMBDA_SCHEDULE: -1m0s is negative: want the schedule's period, e.g. 1m (0: 1m)`,
				`SWITCHYARD_LAMBDA_HANDOVER: -1s is negative: want 0 or more (10s: the next run may start up to 10 s late)`,
			},
		},
		{
			name: "a plain RECORD or SECRET is not read: only the prefixed names configure a failover",
			env:  map[string]string{"SWITCHYARD_RECORD": unset, "RECORD": "assets.example.com"},
			want: []string{`SWITCHYARD_RECORD: required: the switched record, e.g. assets.example.com`},
		},
		{
			name: "counts and failback",
			env:  map[string]string{"SWITCHYARD_FAIL_AFTER": "0", "SWITCHYARD_RECOVER_AFTER": "-1", "SWITCHYARD_FAILBACK": "Auto", "SWITCHYARD_MIN_DWELL": "-1m"},
			want: []string{
				`SWITCHYARD_FAIL_AFTER: 0: want 1 or more consecutive failed checks`,
				`SWITCHYARD_RECOVER_AFTER: -1: want 1 or more consecutive healthy checks`,
				`SWITCHYARD_FAILBACK: "Auto": want manual or auto`,
				`SWITCHYARD_MIN_DWELL: -1m0s is negative: want 0 or more`,
			},
		},
		{
			name: "route53 without a zone, and Cloudflare's TTL",
			env:  map[string]string{"SWITCHYARD_DNS_PROVIDER": "route53", "CLOUDFLARE_API_TOKEN": unset, "SWITCHYARD_RECORD_TTL": "1"},
			want: []string{
				`SWITCHYARD_ROUTE53_HOSTED_ZONE_ID: required when SWITCHYARD_DNS_PROVIDER is route53: id of the Route 53 hosted zone holding the record, e.g. Z0123456789ABCDEFGHIJ (credentials: the default AWS chain, e.g. the Lambda role)`,
				`SWITCHYARD_RECORD_TTL: 1 is out of range: want 60 to 86400 seconds, or 1 for Cloudflare's automatic TTL`,
			},
		},
		{
			name: "route53 with a bad zone id and endpoint",
			env: map[string]string{"SWITCHYARD_DNS_PROVIDER": "route53", "SWITCHYARD_ROUTE53_HOSTED_ZONE_ID": "zone/../x",
				"SWITCHYARD_ROUTE53_ENDPOINT_URL": "route53.local"},
			want: []string{
				`SWITCHYARD_ROUTE53_HOSTED_ZONE_ID: "zone/../x": want the hosted zone id shown in the Route 53 console, e.g. Z0123456789ABCDEFGHIJ`,
				`SWITCHYARD_ROUTE53_ENDPOINT_URL: "route53.local": want an absolute http:// or https:// URL`,
			},
		},
		{
			name: "unknown DNS provider",
			env:  map[string]string{"SWITCHYARD_DNS_PROVIDER": "bind"},
			want: []string{`SWITCHYARD_DNS_PROVIDER: "bind" is unknown: want cloudflare, route53 or rfc2136, or several separated by commas (e.g. cloudflare,route53)`},
		},
		{
			// Every provider listed is checked with its own variables, all
			// at once; Cloudflare's automatic TTL is Cloudflare's alone.
			name: "two DNS providers, each missing its variables",
			env: map[string]string{"SWITCHYARD_DNS_PROVIDER": "cloudflare, route53", "CLOUDFLARE_API_TOKEN": unset,
				"SWITCHYARD_CLOUDFLARE_ZONE_ID": unset, "SWITCHYARD_RECORD_TTL": "1"},
			want: []string{
				`SWITCHYARD_ROUTE53_HOSTED_ZONE_ID: required when SWITCHYARD_DNS_PROVIDER is route53: id of the Route 53 hosted zone holding the record, e.g. Z0123456789ABCDEFGHIJ (credentials: the default AWS chain, e.g. the Lambda role)`,
				`SWITCHYARD_RECORD_TTL: 1 is out of range: want 60 to 86400 seconds, or 1 for Cloudflare's automatic TTL`,
				`SWITCHYARD_CLOUDFLARE_ZONE_ID: required when SWITCHYARD_DNS_PROVIDER is cloudflare: id of the Cloudflare zone holding the record`,
				`SWITCHYARD_CLOUDFLARE_API_TOKEN: required when SWITCHYARD_DNS_PROVIDER is cloudflare (CLOUDFLARE_API_TOKEN is read too): Cloudflare API token with Zone DNS Edit on that zone`,
			},
		},
		{
			name: "a DNS provider listed twice, an empty entry and an unknown one",
			env:  map[string]string{"SWITCHYARD_DNS_PROVIDER": "cloudflare,,bind,cloudflare"},
			want: []string{
				`SWITCHYARD_DNS_PROVIDER: "cloudflare,,bind,cloudflare" has an empty entry: want cloudflare, route53 or rfc2136, or several separated by commas`,
				`SWITCHYARD_DNS_PROVIDER: "bind" is unknown: want cloudflare, route53 or rfc2136, or several separated by commas (e.g. cloudflare,route53)`,
				`SWITCHYARD_DNS_PROVIDER: "cloudflare,,bind,cloudflare" lists cloudflare twice: want each provider once, e.g. cloudflare,route53`,
			},
		},
		{
			name: "rfc2136 without server, zone and key",
			env:  map[string]string{"SWITCHYARD_DNS_PROVIDER": "rfc2136"},
			want: []string{
				`SWITCHYARD_RFC2136_SERVER: required when SWITCHYARD_DNS_PROVIDER is rfc2136: host:port of the primary DNS server that accepts RFC 2136 updates for the zone, e.g. ns1.example.com:53`,
				`SWITCHYARD_RFC2136_ZONE: required when SWITCHYARD_DNS_PROVIDER is rfc2136: the zone holding the record, as that server serves it, e.g. example.com`,
				`SWITCHYARD_RFC2136_TSIG_KEY_NAME: required when SWITCHYARD_DNS_PROVIDER is rfc2136: name of the TSIG key the server lets update the zone`,
				`SWITCHYARD_RFC2136_TSIG_SECRET: required when SWITCHYARD_DNS_PROVIDER is rfc2136: that key's base64 secret`,
			},
		},
		{
			name: "rfc2136 with a bad server, zone, algorithm and secret",
			env: map[string]string{"SWITCHYARD_DNS_PROVIDER": "rfc2136", "SWITCHYARD_RFC2136_SERVER": "ns1.example.com:dns",
				"SWITCHYARD_RFC2136_ZONE": "example.org", "SWITCHYARD_RFC2136_TSIG_KEY_NAME": "switchyard key",
				"SWITCHYARD_RFC2136_TSIG_ALGORITHM": "hmac-md5", "SWITCHYARD_RFC2136_TSIG_SECRET": "not-base64!"},
			want: []string{
				`SWITCHYARD_RFC2136_SERVER: "ns1.example.com:dns": want host:port (or a host, for port 53), e.g. ns1.example.com:53`,
				`SWITCHYARD_RFC2136_ZONE: "example.org" does not hold SWITCHYARD_RECORD "assets.example.com"`,
				`SWITCHYARD_RFC2136_TSIG_KEY_NAME: "switchyard key": want a DNS name such as switchyard-key`,
				`SWITCHYARD_RFC2136_TSIG_ALGORITHM: "hmac-md5": want hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384 or hmac-sha512`,
				`SWITCHYARD_RFC2136_TSIG_SECRET: is not base64: want the key's secret as the server's configuration writes it`,
			},
		},
		{
			name: "cloudflare without zone, token and absolute URL",
			env:  map[string]string{"SWITCHYARD_CLOUDFLARE_ZONE_ID": unset, "CLOUDFLARE_API_TOKEN": unset, "SWITCHYARD_CLOUDFLARE_API_URL": "api.cloudflare.com/client/v4"},
			want: []string{
				`SWITCHYARD_CLOUDFLARE_API_URL: "api.cloudflare.com/client/v4": want an absolute http:// or https:// URL`,
				`SWITCHYARD_CLOUDFLARE_ZONE_ID: required when SWITCHYARD_DNS_PROVIDER is cloudflare: id of the Cloudflare zone holding the record`,
				`SWITCHYARD_CLOUDFLARE_API_TOKEN: required when SWITCHYARD_DNS_PROVIDER is cloudflare (CLOUDFLARE_API_TOKEN is read too): Cloudflare API token with Zone DNS Edit on that zone`,
			},
		},
		{
			name: "zone id that does not fit a URL path",
			env:  map[string]string{"SWITCHYARD_CLOUDFLARE_ZONE_ID": "zone/../x"},
			want: []string{`SWITCHYARD_CLOUDFLARE_ZONE_ID: "zone/../x": want the zone id shown in the Cloudflare dashboard (letters, digits, '-' and '_')`},
		},
		{
			name: "record TTL out of range",
			env:  map[string]string{"SWITCHYARD_RECORD_TTL": "10", "SWITCHYARD_PORT": "70000"},
			want: []string{
				`SWITCHYARD_RECORD_TTL: 10 is out of range: want 60 to 86400 seconds, or 1 for Cloudflare's automatic TTL`,
				`SWITCHYARD_PORT: 70000 is out of range: want 1 to 65535 (0 picks a free port)`,
			},
		},
		{
			name: "unparsable interval and quorum are both named",
			env:  map[string]string{"SWITCHYARD_INTERVAL": "10", "SWITCHYARD_QUORUM": "two", "SWITCHYARD_PEER_TIMEOUT": "30s"},
			want: []string{
				// No "not shorter than SWITCHYARD_INTERVAL" for PEER_TIMEOUT:
				// the interval is unknown, so that rule cannot be judged.
				`SWITCHYARD_QUORUM: "two" is not a whole number`,
				`SWITCHYARD_INTERVAL: "10" is not a duration: want e.g. 10s, 1m30s or 500ms`,
			},
		},
		{
			name: "every kind of unparsable value",
			env:  map[string]string{"SWITCHYARD_PROBE_TIMEOUT": "", "SWITCHYARD_DRY_RUN": "maybe", "PORT": "http", "SWITCHYARD_PEERS": "aws:eu-west-1=https://user:" + testSecret + "@a.example"},
			want: []string{
				`SWITCHYARD_PROBE_TIMEOUT: "" is not a duration: want e.g. 10s, 1m30s or 500ms`,
				`SWITCHYARD_PEERS: entry 1 (aws:eu-west-1): url must not contain user info (credentials do not belong in a URL)`,
				`SWITCHYARD_DRY_RUN: "maybe" is not a boolean: want true or false`,
				`SWITCHYARD_PORT: "http" is not a whole number`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, validEnv(), tt.env)
			_, err := Load()
			got := problemsOf(t, err)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tt.want)
			}
			assertNoSecrets(t, err.Error())
			assertKnownNames(t, got)
		})
	}
}

// TestLoadManyProblems checks that one Load reports problems of every
// kind together: missing, unparsable and inconsistent values.
func TestLoadManyProblems(t *testing.T) {
	setEnv(t, map[string]string{
		"SWITCHYARD_RECORD_TYPE":        "A",
		"SWITCHYARD_PRIMARY_TARGET":     "primary.example.net",
		"SWITCHYARD_STANDBY_TARGET":     "192.0.2.1",
		"SWITCHYARD_PRIMARY_CHECK":      "s3://b/k?acl=x",
		"SWITCHYARD_STANDBY_CHECK":      "https://standby.example/k",
		"SWITCHYARD_VANTAGE":            "aws:us-east-1",
		"SWITCHYARD_PEERS":              "gcp:us-central1=https://g.example",
		"SWITCHYARD_QUORUM":             "3",
		"SWITCHYARD_INTERVAL":           "1s",
		"SWITCHYARD_FAIL_AFTER":         "three",
		"SWITCHYARD_FAILBACK":           "never",
		"SWITCHYARD_CLOUDFLARE_ZONE_ID": "z",
	}, nil)
	_, err := Load()
	want := []string{
		`SWITCHYARD_FAIL_AFTER: "three" is not a whole number`,
		`SWITCHYARD_RECORD: required: the switched record, e.g. assets.example.com`,
		`SWITCHYARD_PRIMARY_TARGET: "primary.example.net" is not an IPv4 address: SWITCHYARD_RECORD_TYPE A needs one, e.g. 192.0.2.10`,
		`SWITCHYARD_PRIMARY_CHECK: unknown parameter acl: only endpoint and region are allowed`,
		`SWITCHYARD_SECRET: required when SWITCHYARD_PEERS is set: shared HMAC key for peer messages (at least 32 bytes)`,
		`SWITCHYARD_QUORUM: 3 is larger than the 2 configured vantage points`,
		`SWITCHYARD_INTERVAL: 1s is not longer than SWITCHYARD_PROBE_TIMEOUT (3s): a probe round must end before the next begins`,
		`SWITCHYARD_PEER_TIMEOUT: 5s is not shorter than SWITCHYARD_INTERVAL (1s): asking peers must end before the next round`,
		`SWITCHYARD_FAILBACK: "never": want manual or auto`,
		`SWITCHYARD_CLOUDFLARE_API_TOKEN: required when SWITCHYARD_DNS_PROVIDER is cloudflare (CLOUDFLARE_API_TOKEN is read too): Cloudflare API token with Zone DNS Edit on that zone`,
	}
	if got := problemsOf(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
	if msg := err.Error(); msg != "invalid configuration:\n"+strings.Join(want, "\n") {
		t.Errorf("Error() = %q, want a header and one problem per line", msg)
	}
}

// TestValidateZeroConfig: Validate on a Config built in code (no defaults
// applied) reports problems without panicking.
func TestValidateZeroConfig(t *testing.T) {
	err := Config{}.Validate()
	if got := problemsOf(t, err); len(got) < 10 {
		t.Errorf("zero Config: only %d problems: %q", len(got), got)
	}
}

func TestValidateValid(t *testing.T) {
	setEnv(t, validEnv(), nil)
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate of a loaded config: %v", err)
	}
}

func problemsOf(t *testing.T, err error) []string {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v, want a *ValidationError", err)
	}
	return ve.Problems
}

func assertNoSecrets(t *testing.T, s string) {
	t.Helper()
	for _, secret := range []string{testSecret, testToken, testS3Key, "DO-NOT-PRINT"} {
		if strings.Contains(s, secret) {
			t.Errorf("output contains a secret value") // not the output itself: it holds the secret
		}
	}
}

var varName = regexp.MustCompile(`SWITCHYARD_[A-Z0-9_]+`)

// assertKnownNames checks that every variable a message names exists, so a
// renamed variable cannot leave messages pointing at nothing.
func assertKnownNames(t *testing.T, problems []string) {
	t.Helper()
	known := map[string]bool{}
	for _, v := range Usage() {
		known[v.Name] = true
	}
	for _, p := range problems {
		for _, name := range varName.FindAllString(p, -1) {
			if !known[name] {
				t.Errorf("problem %q names unknown variable %s", p, name)
			}
		}
	}
}
