package probe

import (
	"bytes"
	"strings"
	"testing"
)

// checkConfigEnv is a valid configuration of one vantage point whose
// peers make, with it, the given vantage ids (the first is this one).
func checkConfigEnv(ids ...string) map[string]string {
	var peers []string
	for i, id := range ids[1:] {
		peers = append(peers, id+"=https://peer"+string(rune('a'+i))+".example/base?token=not-shown")
	}
	return map[string]string{
		"SWITCHYARD_RECORD":             "assets.example.com",
		"SWITCHYARD_PRIMARY_TARGET":     "primary.example.net",
		"SWITCHYARD_STANDBY_TARGET":     "standby.example.org",
		"SWITCHYARD_PRIMARY_CHECK":      "https://primary.example.net/canary.txt",
		"SWITCHYARD_STANDBY_CHECK":      "https://standby.example.org/canary.txt",
		"SWITCHYARD_VANTAGE":            ids[0],
		"SWITCHYARD_PEERS":              strings.Join(peers, ","),
		"SWITCHYARD_SECRET":             "check-config-secret-0123456789abcdef",
		"SWITCHYARD_CLOUDFLARE_ZONE_ID": "023e105f4ecef8ad9ca31a8372d0c353",
		"CLOUDFLARE_API_TOKEN":          "check-config-token-not-to-be-printed",
	}
}

func runCheckConfig(t *testing.T, env map[string]string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	cmd := probeCmd(t, env, "check-config")
	cmd.Stdout, cmd.Stderr = &out, &out
	code := exitCode(cmd.Run())
	for _, secret := range []string{env["SWITCHYARD_SECRET"], env["CLOUDFLARE_API_TOKEN"], "not-shown"} {
		if secret != "" && strings.Contains(out.String(), secret) {
			t.Fatal("check-config printed a secret")
		}
	}
	return code, out.String()
}

func TestCheckConfigExplainsAPassingTopology(t *testing.T) {
	code, out := runCheckConfig(t, checkConfigEnv("aws:us-east-1", "aws:eu-west-1", "gcp:europe-west1", "gcp:us-central1", "azure:westeurope"))
	if code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, out)
	}
	for _, want := range []string{
		"provider aws", "aws:us-east-1 (this one)", "aws:eu-west-1 (https://peera.example/base)", "provider azure",
		"switch when 3 of all 5 vantage points", "from at least 2 providers",
		"survives the loss and resists the blindness of any one provider", "configuration ok",
		"re-checks every 2s until 3 failures or a success; an outage shorter than 4s never causes a failover",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "WARNING") {
		t.Errorf("a passing topology warns:\n%s", out)
	}
}

// The topology issue 10 found wanting (3 AWS + 1 Google Cloud): valid, so
// it would run, but both providers are named with the fix.
func TestCheckConfigWarnsAboutAWeakTopology(t *testing.T) {
	code, out := runCheckConfig(t, checkConfigEnv("aws:us-east-1", "aws:us-west-2", "aws:eu-west-1", "gcp:europe-west1"))
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{"WARNING: losing aws whole", "WARNING: losing gcp whole", "smallest fix: add a vantage point on gcp, add 2 vantage points on a third provider"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestCheckConfigRefusesAMinorityQuorum(t *testing.T) {
	env := checkConfigEnv("aws:us-east-1", "aws:eu-west-1", "gcp:europe-west1", "gcp:us-central1", "azure:westeurope")
	env["SWITCHYARD_QUORUM"] = "2"
	env["SWITCHYARD_VANTAGE"] = "aws:" + strings.Repeat("x", 70)
	code, out := runCheckConfig(t, env)
	if code != 2 {
		t.Fatalf("exit %d, want 2:\n%s", code, out)
	}
	for _, want := range []string{"SWITCHYARD_QUORUM: 2 is less than a strict majority", "SWITCHYARD_VANTAGE:", "at most 64 fit in the state record's by= field"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
