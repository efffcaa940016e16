package probe

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestNewRejectsBadSpec(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"empty URL", Spec{}, "probe: URL: is empty: want https://host/key, http://host/key or s3://bucket/key"},
		{"unparsable URL", Spec{URL: "https://exa mple.com/k"}, `probe: URL: cannot be parsed as a URL: want https://host/key, http://host/key or s3://bucket/key`},
		{"no host", Spec{URL: "https:///canary"}, `probe: URL: "https:///canary" has no host: want https://host/key, http://host/key or s3://bucket/key`},
		{"relative", Spec{URL: "canary.txt"}, `probe: URL: "canary.txt": want https://host/key, http://host/key or s3://bucket/key`},
		{"unknown scheme", Spec{URL: "ftp://origin/canary"}, `probe: URL: "ftp://origin/canary": want https://host/key, http://host/key or s3://bucket/key`},
		{"unknown scheme hides password", Spec{URL: "ftp://u:hunter2@origin/canary"}, "probe: URL: must not contain user info: credentials do not belong in a URL"},
		{"http user info refused", Spec{URL: "https://u:hunter2@origin/canary"}, "probe: URL: must not contain user info: credentials do not belong in a URL"},
		{"bad sha256", Spec{URL: "https://origin/c", SHA256: "abc"}, `probe: SHA256 "abc" is not a SHA-256 digest, want 64 hex digits`},
		{"sha256 of wrong length", Spec{URL: "https://origin/c", SHA256: strings.Repeat("a", 62)}, `probe: SHA256 "` + strings.Repeat("a", 62) + `" is not a SHA-256 digest, want 64 hex digits`},
		{"negative budget", Spec{URL: "https://origin/c", LatencyBudget: -time.Second}, "probe: LatencyBudget -1s is negative, want a positive duration or 0 for none"},
		{"negative timeout", Spec{URL: "https://origin/c", Timeout: -time.Second}, "probe: Timeout -1s is negative, want a positive duration or 0 for the default 10s"},
		{"s3 without key", Spec{URL: "s3://bucket"}, "probe: URL: no object key: want s3://bucket/key"},
		{"s3 with slash only", Spec{URL: "s3://bucket/"}, "probe: URL: no object key: want s3://bucket/key"},
		{"s3 unknown parameter", Spec{URL: "s3://bucket/k?regoin=eu-west-1"}, "probe: URL: unknown parameter regoin: only endpoint and region are allowed"},
		{"s3 bad endpoint", Spec{URL: "s3://bucket/k?endpoint=minio:9000"}, `probe: URL: endpoint "minio:9000": want an absolute http:// or https:// URL`},
		{"s3 empty region", Spec{URL: "s3://bucket/k?region="}, `probe: URL: region "": want a region such as us-east-1`},
		{"s3 repeated region", Spec{URL: "s3://bucket/k?region=eu-west-1&region=us-east-1"}, "probe: URL: region is given 2 times"},
		{"s3 credentials in URL", Spec{URL: "s3://AKID:hunter2@bucket/k"}, "probe: URL: must not contain user info: credentials do not belong in a URL"},
		{"s3 key id without secret", Spec{URL: "s3://bucket/k", AccessKeyID: "AKID"}, "probe: set both AccessKeyID and SecretAccessKey for s3://, or neither for the default AWS credential chain"},
		{"s3 secret without key id", Spec{URL: "s3://bucket/k", SecretAccessKey: "hunter2"}, "probe: set both AccessKeyID and SecretAccessKey for s3://, or neither for the default AWS credential chain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := New(tt.spec)
			if err == nil {
				t.Fatalf("New(%+v) = check, want error %q", tt.spec, tt.want)
			}
			if f != nil {
				t.Errorf("New returned a check along with the error")
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error leaks a secret: %s", err)
			}
		})
	}
}

func TestNewAcceptsGoodSpec(t *testing.T) {
	for _, raw := range []string{
		"https://origin.example/canary.txt",
		"HTTP://origin.example:8080/canary.txt?v=2",
		"s3://bucket/health/canary.txt",
		"s3://bucket/k?region=eu-west-1&endpoint=https%3A%2F%2Faccount.r2.cloudflarestorage.com",
	} {
		t.Run(raw, func(t *testing.T) {
			// No network, files or credentials are touched until the check runs.
			if _, err := New(Spec{URL: raw, SHA256: sum(canary), LatencyBudget: time.Second}); err != nil {
				t.Errorf("New: %v", err)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://origin.example/c.txt", "https://origin.example/c.txt"},
		{"https://user:pw@origin.example/c.txt", "https://origin.example/c.txt"},
		{"https://o.example/c?X-Amz-Credential=AKID%2F2026&X-Amz-Signature=abc&X-Amz-Date=20261125", "https://o.example/c?X-Amz-Credential=REDACTED&X-Amz-Date=20261125&X-Amz-Signature=REDACTED"},
		{"https://o.example/c?api_key=1&sig=2&Password=3&access_token=4&v=5", "https://o.example/c?Password=REDACTED&access_token=REDACTED&api_key=REDACTED&sig=REDACTED&v=5"},
		{"s3://bucket/k?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=eu-west-1", "s3://bucket/k?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=eu-west-1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			u, err := url.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := RedactURL(u); got != tt.want {
				t.Errorf("RedactURL = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSpecStringHidesSecrets(t *testing.T) {
	spec := Spec{URL: "https://u:hunter2@origin.example/c?token=hunter2", AccessKeyID: "AKID", SecretAccessKey: "hunter2"}
	for _, format := range []string{"%v", "%+v", "%s"} {
		got := fmt.Sprintf(format, spec)
		if strings.Contains(got, "hunter2") || !strings.Contains(got, "AKID") || !strings.Contains(got, "origin.example") {
			t.Errorf("Sprintf(%q) = %s: want the key id and host, no secret", format, got)
		}
	}
}
