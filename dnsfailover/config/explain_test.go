package config

import (
	"strings"
	"testing"
)

func TestExplain(t *testing.T) {
	const secret, token, s3 = "explain-secret-0123456789abcdef0123", "explain-token-value", "explain-s3-secret"
	c := Config{
		Record: "assets.example.com", RecordType: "CNAME", PrimaryTarget: "p.example.net", StandbyTarget: "s.example.org",
		PrimaryCheck: "https://p.example.net/canary.txt", StandbyCheck: "s3://b/canary.txt?endpoint=http://127.0.0.1:9000&region=auto",
		StandbyS3AccessKeyID: "AKID", StandbyS3SecretAccessKey: Secret(s3),
		Vantage: "aws:us-east-1",
		Peers: Peers{
			{ID: "aws:eu-west-1", URL: "https://eu.example/base?key=not-shown"},
			{ID: "gcp:europe-west1", URL: "https://gcp.example"},
		},
		Secret: Secret(secret), Failback: "manual", DNSProvider: "route53", Route53HostedZoneID: "Z0123",
		CloudflareAPIToken: Secret(token),
	}
	var b strings.Builder
	if err := c.Explain(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"provider aws        aws:eu-west-1 (https://eu.example/base), aws:us-east-1 (this one)",
		"provider gcp        gcp:europe-west1 (https://gcp.example)",
		"switch when 2 of all 3 vantage points (a strict majority, SWITCHYARD_QUORUM 0)",
		"route53 at AWS's endpoint, hosted zone Z0123",
		"SWITCHYARD_STANDBY_S3_SECRET_ACCESS_KEY, SWITCHYARD_SECRET, SWITCHYARD_CLOUDFLARE_API_TOKEN (values never shown)",
		"standby s3://b/canary.txt,",
		"WARNING: losing aws whole",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explanation lacks %q:\n%s", want, out)
		}
	}
	for _, leak := range []string{secret, token, s3, "not-shown", "127.0.0.1"} {
		if strings.Contains(out, leak) {
			t.Errorf("explanation shows %q", leak)
		}
	}
}

// Several DNS providers are each described, in order, and what writing all
// of them means is said.
func TestExplainSeveralDNSProviders(t *testing.T) {
	c := Config{DNSProvider: "cloudflare, route53", CloudflareAPIURL: "https://api.cloudflare.com/client/v4",
		CloudflareZoneID: "zone1", Route53HostedZoneID: "Z0123"}
	want := "every one of cloudflare at https://api.cloudflare.com/client/v4, zone zone1; route53 at AWS's endpoint, hosted zone Z0123 (a switch is done once one commits; the others are repaired)"
	if got := c.dnsText(); got != want {
		t.Errorf("dnsText =\n%s\nwant\n%s", got, want)
	}
}
