package config

import (
	"os"
	"testing"
)

// unset as an override value removes the variable from the base environment.
const unset = "\x00unset"

// testSecret and testToken are recognisable so the tests can assert that
// they never appear where they must not.
const (
	testSecret = "peer-hmac-key-0123456789abcdef0123456789"
	testToken  = "cf-token-DO-NOT-PRINT-5f1c"
	testS3Key  = "s3-secret-DO-NOT-PRINT-77aa"
)

// validEnv is a complete, valid environment: three vantage points on two
// providers, an https primary check and an s3 standby check.
func validEnv() map[string]string {
	return map[string]string{
		"SWITCHYARD_RECORD":                       "assets.example.com",
		"SWITCHYARD_PRIMARY_TARGET":               "primary.example.net",
		"SWITCHYARD_STANDBY_TARGET":               "standby.example.org",
		"SWITCHYARD_PRIMARY_CHECK":                "https://primary.example.net/canary.txt",
		"SWITCHYARD_STANDBY_CHECK":                "s3://standby-bucket/canary.txt?endpoint=http://127.0.0.1:9000&region=auto",
		"SWITCHYARD_STANDBY_S3_ACCESS_KEY_ID":     "AKIDEXAMPLE",
		"SWITCHYARD_STANDBY_S3_SECRET_ACCESS_KEY": testS3Key,
		"SWITCHYARD_VANTAGE":                      "aws:us-east-1",
		"SWITCHYARD_PEERS":                        "aws:eu-west-1=https://eu.example/observe, gcp:europe-west1 = https://gcp.example",
		"SWITCHYARD_SECRET":                       testSecret,
		"SWITCHYARD_CLOUDFLARE_ZONE_ID":           "023e105f4ecef8ad9ca31a8372d0c353",
		"CLOUDFLARE_API_TOKEN":                    testToken,
	}
}

// clearEnv unsets every variable the config reads, prefixed or not, so the
// machine's own environment (PORT, say) cannot leak into a test.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, v := range Usage() {
		for _, name := range []string{v.Name, v.Name[len(Prefix)+1:]} {
			t.Setenv(name, "") // restores the old value after the test
			os.Unsetenv(name)
		}
	}
}

// setEnv clears the environment, then sets base with overrides applied.
func setEnv(t *testing.T, base, overrides map[string]string) {
	t.Helper()
	clearEnv(t)
	env := map[string]string{}
	for k, v := range base {
		env[k] = v
	}
	for k, v := range overrides {
		env[k] = v
	}
	for k, v := range env {
		if v != unset {
			t.Setenv(k, v)
		}
	}
}
