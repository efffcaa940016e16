package secrets_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/switchyard-dns/switchyard/dnsfailover/secrets"
	"github.com/switchyard-dns/switchyard/dnsfailover/secrets/secretstest"
)

const (
	hmacARN  = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:switchyard-hmac-AbCdEf"
	tokenARN = "arn:aws:ssm:eu-west-1:123456789012:parameter/switchyard/cloudflare-token"
	hmac     = "0123456789abcdef0123456789abcdef-from-secrets-manager"
	token    = "cf-token-from-parameter-store"
	s3key    = "s3-secret-from-parameter-store"
)

func TestParseRef(t *testing.T) {
	tests := []struct {
		in      string
		want    secrets.Ref
		isRef   bool
		wantErr string
	}{
		{in: hmacARN, want: secrets.Ref{Store: secrets.SecretsManager, ID: hmacARN, Region: "eu-west-1"}, isRef: true},
		{in: tokenARN, want: secrets.Ref{Store: secrets.SSM, ID: tokenARN, Region: "eu-west-1"}, isRef: true},
		{in: "arn:aws-us-gov:ssm:us-gov-west-1:1:parameter/x", want: secrets.Ref{Store: secrets.SSM, ID: "arn:aws-us-gov:ssm:us-gov-west-1:1:parameter/x", Region: "us-gov-west-1"}, isRef: true},
		{in: "ssm:/switchyard/hmac", want: secrets.Ref{Store: secrets.SSM, ID: "/switchyard/hmac"}, isRef: true},
		{in: "0123456789abcdef0123456789abcdef"},
		{in: "arn:not-aws:thing"},
		{in: "arn:aws:s3:::bucket"},
		{in: "ssm:switchyard/hmac", wantErr: "want ssm:/path/name"},
		{in: "arn:aws:secretsmanager:eu-west-1:123456789012:switchyard", wantErr: "not a Secrets Manager secret ARN"},
		{in: "arn:aws:ssm:eu-west-1:123456789012:document/x", wantErr: "not an SSM parameter ARN"},
	}
	for _, tt := range tests {
		got, isRef, err := secrets.ParseRef(tt.in)
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseRef(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("ParseRef(%q): %v", tt.in, err)
		case isRef != tt.isRef || got != tt.want:
			t.Errorf("ParseRef(%q) = %+v, %v; want %+v, %v", tt.in, got, isRef, tt.want, tt.isRef)
		}
	}
}

// awsEnv points the SDK at srv with static test credentials.
func awsEnv(t *testing.T, srv *secretstest.Server) {
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret-key")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
}

func mapEnv(m map[string]string) secrets.Env {
	return secrets.Env{
		Lookup: func(k string) (string, bool) { v, ok := m[k]; return v, ok },
		Set:    func(k, v string) error { m[k] = v; return nil },
	}
}

func TestResolveFetchesEveryReferenceOnce(t *testing.T) {
	srv := secretstest.New(map[string]string{hmacARN: hmac, tokenARN: token, "/switchyard/s3": s3key})
	defer srv.Close()
	awsEnv(t, srv)
	env := map[string]string{
		"SWITCHYARD_SECRET":                       hmacARN,
		"SWITCHYARD_SECRET_PREVIOUS":              hmacARN, // same reference: fetched once
		"CLOUDFLARE_API_TOKEN":                    tokenARN,
		"SWITCHYARD_PRIMARY_S3_SECRET_ACCESS_KEY": "ssm:/switchyard/s3",
		"SWITCHYARD_RECORD":                       "arn:aws:ssm:eu-west-1:1:parameter/not-a-secret-variable",
	}
	done, err := secrets.Resolve(context.Background(), mapEnv(env), &secrets.AWS{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"SWITCHYARD_SECRET": hmac, "SWITCHYARD_SECRET_PREVIOUS": hmac,
		"CLOUDFLARE_API_TOKEN": token, "SWITCHYARD_PRIMARY_S3_SECRET_ACCESS_KEY": s3key,
		"SWITCHYARD_RECORD": "arn:aws:ssm:eu-west-1:1:parameter/not-a-secret-variable",
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if len(done) != 4 {
		t.Errorf("resolved %v, want 4 variables", done)
	}
	if calls := srv.Calls(); len(calls) != 3 {
		t.Errorf("calls %v, want one per distinct reference", calls)
	}
}

func TestResolveReportsEveryFailureWithoutValues(t *testing.T) {
	srv := secretstest.New(map[string]string{hmacARN: hmac, tokenARN: ""})
	defer srv.Close()
	awsEnv(t, srv)
	env := map[string]string{
		"SWITCHYARD_SECRET":               "arn:aws:secretsmanager:eu-west-1:123456789012:secret:missing-XyZ123",
		"CLOUDFLARE_API_TOKEN":            tokenARN, // exists but empty
		"SWITCHYARD_SECRET_PREVIOUS":      "ssm:typo",
		"SWITCHYARD_CLOUDFLARE_API_TOKEN": "literal-token-value",
	}
	_, err := secrets.Resolve(context.Background(), mapEnv(env), &secrets.AWS{})
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{"SWITCHYARD_SECRET: fetch", "ResourceNotFoundException", "CLOUDFLARE_API_TOKEN: ssm " + tokenARN + " is empty", "SWITCHYARD_SECRET_PREVIOUS: ssm:typo"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not say %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "literal-token-value") || strings.Contains(msg, hmac) {
		t.Errorf("error leaks a secret value:\n%s", msg)
	}
	if env["SWITCHYARD_CLOUDFLARE_API_TOKEN"] != "literal-token-value" {
		t.Error("a literal value was changed")
	}
}

func TestLiteralValuesNeedNoAWS(t *testing.T) {
	env := map[string]string{"SWITCHYARD_SECRET": "0123456789abcdef0123456789abcdef"}
	done, err := secrets.Resolve(context.Background(), mapEnv(env), fetchFunc(func(context.Context, secrets.Ref) (string, error) {
		return "", errors.New("must not be called")
	}))
	if err != nil || len(done) != 0 {
		t.Fatalf("Resolve = %v, %v; want nothing to do", done, err)
	}
}

type fetchFunc func(context.Context, secrets.Ref) (string, error)

func (f fetchFunc) Fetch(ctx context.Context, r secrets.Ref) (string, error) { return f(ctx, r) }

// TestResolveNotifyParts: in SWITCHYARD_NOTIFY each receiver's value may be
// a reference of its own, resolved against the real SSM and Secrets
// Manager protocols (secretstest), the literal parts left as they are.
func TestResolveNotifyParts(t *testing.T) {
	const slackURL = "https://hooks.slack.com/services/T0/B0/SECRETXYZ"
	srv := secretstest.New(map[string]string{"/switchyard/pd": "R0UTINGKEY", tokenARN: slackURL})
	defer srv.Close()
	awsEnv(t, srv)
	env := map[string]string{
		"SWITCHYARD_NOTIFY": "slack:" + tokenARN + ",pagerduty:ssm:/switchyard/pd,webhook:https://ops.example.com/hook",
	}
	done, err := secrets.Resolve(context.Background(), mapEnv(env), &secrets.AWS{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "slack:" + slackURL + ",pagerduty:R0UTINGKEY,webhook:https://ops.example.com/hook"; env["SWITCHYARD_NOTIFY"] != want {
		t.Errorf("SWITCHYARD_NOTIFY = %q, want %q", env["SWITCHYARD_NOTIFY"], want)
	}
	if len(done) != 2 {
		t.Errorf("resolved %v, want 2 references", done)
	}
	env = map[string]string{"SWITCHYARD_NOTIFY": "pagerduty:ssm:/switchyard/missing"}
	_, err = secrets.Resolve(context.Background(), mapEnv(env), &secrets.AWS{})
	if err == nil || !strings.Contains(err.Error(), "SWITCHYARD_NOTIFY: part 1 (pagerduty): fetch ssm /switchyard/missing") {
		t.Errorf("missing parameter: %v", err)
	}
}
