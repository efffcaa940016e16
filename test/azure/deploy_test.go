package azure

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/test/internal/testbin"
)

// deploy runs infra/azure/deploy with args and returns its exit code,
// stdout and stderr. Only PATH and HOME are passed on (go needs them).
func deploy(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{filepath.Join(testbin.Root(t), "infra", "azure", "deploy")}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "GOCACHE=" + goEnv(t, "GOCACHE"), "GOMODCACHE=" + goEnv(t, "GOMODCACHE")}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

func goEnv(t *testing.T, name string) string {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func settingsFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "probe.env")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var deployArgs = []string{"--resource-group", "switchyard", "--location", "westeurope", "--app", "acme-switchyard-weu", "--vault", "acme-kv", "--dry-run"}

const goodSettings = `SWITCHYARD_RECORD=assets.acme.io
SWITCHYARD_PRIMARY_TARGET=acme-assets.s3.us-east-1.amazonaws.com
SWITCHYARD_STANDBY_TARGET=assets.acme-r2.dev
SWITCHYARD_PRIMARY_CHECK=https://acme-assets.s3.us-east-1.amazonaws.com/switchyard/canary.txt
SWITCHYARD_STANDBY_CHECK=https://assets.acme-r2.dev/switchyard/canary.txt
SWITCHYARD_PEERS=aws:us-east-1=https://abc.lambda-url.us-east-1.on.aws,aws:eu-west-1=https://def.lambda-url.eu-west-1.on.aws
SWITCHYARD_CLOUDFLARE_ZONE_ID=0123456789abcdef0123456789abcdef
SWITCHYARD_CHECK_CONTAINS=switchyard canary
`

func TestDeployHelp(t *testing.T) {
	code, stdout, _ := deploy(t, "--help")
	if code != 0 || !strings.Contains(stdout, "--settings FILE") || !strings.Contains(stdout, "Key Vault Secrets User") {
		t.Errorf("--help: exit %d\n%s", code, stdout)
	}
	if code, _, _ := deploy(t, "--location", "westeurope"); code != 2 {
		t.Errorf("missing arguments: exit %d, want 2", code)
	}
}

// The example file as it is, and a file holding a secret, are refused
// before anything is built or created, each line named, no value shown.
func TestDeployRefusesExampleValuesAndSecrets(t *testing.T) {
	example := filepath.Join(testbin.Root(t), "infra", "azure", "probe.env.example")
	code, stdout, stderr := deploy(t, append(deployArgs, "--settings", example)...)
	if code != 1 || strings.Contains(stdout, "az ") {
		t.Fatalf("example settings: exit %d, stdout:\n%s", code, stdout)
	}
	for _, name := range []string{"SWITCHYARD_RECORD", "SWITCHYARD_PRIMARY_TARGET", "SWITCHYARD_STANDBY_TARGET",
		"SWITCHYARD_PRIMARY_CHECK", "SWITCHYARD_STANDBY_CHECK", "SWITCHYARD_PEERS", "SWITCHYARD_CLOUDFLARE_ZONE_ID"} {
		if !strings.Contains(stderr, name+" still holds the example value") {
			t.Errorf("not refused: %s\n%s", name, stderr)
		}
	}
	if strings.Contains(stderr, "SWITCHYARD_CHECK_CONTAINS") {
		t.Errorf("SWITCHYARD_CHECK_CONTAINS may keep its value:\n%s", stderr)
	}

	const secret = "peer-key-that-must-not-be-printed-0123"
	for _, line := range []string{"SWITCHYARD_SECRET=" + secret, "CLOUDFLARE_API_TOKEN=" + secret, "SWITCHYARD_PRIMARY_S3_SECRET_ACCESS_KEY=" + secret,
		"SWITCHYARD_VANTAGE=azure:northeurope", "SWITCHYARD_PEERS=aws:us-east-1=https://EXAMPLE1.lambda-url.us-east-1.on.aws"} {
		key, _, _ := strings.Cut(line, "=")
		code, _, stderr := deploy(t, append(deployArgs, "--settings", settingsFile(t, goodSettings+line+"\n"))...)
		if code != 1 || !strings.Contains(stderr, key) {
			t.Errorf("%s: exit %d, want 1 naming it:\n%s", key, code, stderr)
		}
		if strings.Contains(stderr, secret) {
			t.Errorf("%s: the refusal printed the secret", key)
		}
	}
}

// Every secret switchyard reads, today's and any added later (config.Usage
// marks them), is refused as a plaintext app setting, under its name and its
// unprefixed alternative; a Key Vault reference in its place is accepted.
func TestDeployRefusesEverySecretSetting(t *testing.T) {
	const secret = "value-that-must-not-be-printed-4567"
	var names []string
	for _, v := range config.Usage() {
		if v.Secret {
			names = append(names, v.Name)
			if v.Alt != "" {
				names = append(names, v.Alt)
			}
		}
	}
	if !slices.Contains(names, "SWITCHYARD_RFC2136_TSIG_SECRET") {
		t.Fatalf("config.Usage() secrets %v lack SWITCHYARD_RFC2136_TSIG_SECRET", names)
	}
	for _, name := range names {
		code, stdout, stderr := deploy(t, append(deployArgs, "--settings", settingsFile(t, goodSettings+name+"="+secret+"\n"))...)
		if code != 1 || !strings.Contains(stderr, name+": secrets come from Key Vault") {
			t.Errorf("%s in plaintext: exit %d, want 1 naming it:\n%s", name, code, stderr)
		}
		if strings.Contains(stdout+stderr, secret) {
			t.Errorf("%s: the secret was printed", name)
		}
	}
	ref := "SWITCHYARD_RFC2136_TSIG_SECRET=@Microsoft.KeyVault(VaultName=acme-kv;SecretName=tsig)\n"
	if code, _, stderr := deploy(t, append(deployArgs, "--settings", settingsFile(t, goodSettings+ref))...); code != 0 {
		t.Errorf("a Key Vault reference was refused: exit %d\n%s", code, stderr)
	}
}

// A dry run shows what a deploy does: the app with a system identity and
// no Application Insights, one Key Vault Secrets User grant per secret
// (scoped to the secret, nothing else), the settings with the secrets as
// Key Vault references, and the package.
func TestDeployDryRun(t *testing.T) {
	code, stdout, stderr := deploy(t, append(deployArgs, "--settings", settingsFile(t, goodSettings))...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"az functionapp create --name acme-switchyard-weu", "--consumption-plan-location westeurope --os-type Linux --runtime custom",
		"--assign-identity \\[system\\] --disable-app-insights true --https-only true",
		"--role Key\\ Vault\\ Secrets\\ User --scope /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.KeyVault/vaults/acme-kv/secrets/switchyard-peer-secret ",
		"--role Key\\ Vault\\ Secrets\\ User --scope /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.KeyVault/vaults/acme-kv/secrets/switchyard-cloudflare-token ",
		"SWITCHYARD_VANTAGE=azure:westeurope",
		"SWITCHYARD_SECRET=@Microsoft.KeyVault\\(VaultName=acme-kv\\;SecretName=switchyard-peer-secret\\)",
		"CLOUDFLARE_API_TOKEN=@Microsoft.KeyVault\\(VaultName=acme-kv\\;SecretName=switchyard-cloudflare-token\\)",
		"SWITCHYARD_PEERS=aws:us-east-1=https://abc.lambda-url.us-east-1.on.aws\\,aws:eu-west-1=https://def.lambda-url.eu-west-1.on.aws",
		"az functionapp deployment source config-zip --name acme-switchyard-weu",
		"azure:westeurope=https://acme-switchyard-weu.azurewebsites.net",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, stdout)
		}
	}
	if n := strings.Count(stdout, "az role assignment create"); n != 2 {
		t.Errorf("%d role assignments, want 2 (one per secret)", n)
	}
	code, stdout, _ = deploy(t, append(deployArgs, "--plan", "flex", "--settings", settingsFile(t, goodSettings))...)
	if code != 0 || !strings.Contains(stdout, "--flexconsumption-location westeurope --runtime custom --instance-memory 512") {
		t.Errorf("--plan flex: exit %d\n%s", code, stdout)
	}
}

// Every secret the app reads is granted, or its Key Vault reference would
// not resolve and the app would not start: --notify-secret's, and each
// secret the settings file names by reference, once each and nothing else.
// A reference to another vault, a placeholder name, or SWITCHYARD_NOTIFY
// given twice is refused before anything is created.
func TestDeployGrantsEveryReferencedSecret(t *testing.T) {
	const scope = "--role Key\\ Vault\\ Secrets\\ User --scope /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.KeyVault/vaults/acme-kv/secrets/"
	refs := "SWITCHYARD_NOTIFY_WEBHOOK_SECRET=@Microsoft.KeyVault(VaultName=acme-kv;SecretName=switchyard-webhook-key)\n" +
		"SWITCHYARD_SECRET_PREVIOUS=@Microsoft.KeyVault(SecretUri=https://ACME-KV.vault.azure.net/secrets/switchyard-peer-secret-old/)\n"
	code, stdout, stderr := deploy(t, append(deployArgs, "--notify-secret", "switchyard-notify", "--settings", settingsFile(t, goodSettings+refs))...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		scope + "switchyard-notify ", scope + "switchyard-webhook-key ", scope + "switchyard-peer-secret-old ",
		scope + "switchyard-peer-secret ", scope + "switchyard-cloudflare-token ",
		"SWITCHYARD_NOTIFY=@Microsoft.KeyVault\\(VaultName=acme-kv\\;SecretName=switchyard-notify\\)",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, stdout)
		}
	}
	if n := strings.Count(stdout, "az role assignment create"); n != 5 {
		t.Errorf("%d role assignments, want 5 (one per secret)", n)
	}

	// A secret named twice is granted once.
	twice := "SWITCHYARD_NOTIFY=@Microsoft.KeyVault(VaultName=acme-kv;SecretName=switchyard-peer-secret)\n"
	if _, stdout, _ := deploy(t, append(deployArgs, "--settings", settingsFile(t, goodSettings+twice))...); strings.Count(stdout, "az role assignment create") != 2 {
		t.Errorf("a secret referenced twice is granted %d times, want once:\n%s", strings.Count(stdout, "az role assignment create"), stdout)
	}

	for _, c := range []struct {
		args  []string
		file  string
		code  int
		names string
	}{
		{[]string{"--notify-secret", "NAME"}, goodSettings, 2, "--notify-secret 'NAME' is an example"},
		{[]string{"--notify-secret", "notify/secret"}, goodSettings, 2, "--notify-secret 'notify/secret' is not a Key Vault secret name"},
		{[]string{"--notify-secret", "switchyard-notify"}, goodSettings + twice, 1, "SWITCHYARD_NOTIFY and --notify-secret"},
		{nil, goodSettings + "SWITCHYARD_NOTIFY=@Microsoft.KeyVault(VaultName=other-kv;SecretName=notify)\n", 1, "SWITCHYARD_NOTIFY refers to the vault other-kv"},
		{nil, goodSettings + "SWITCHYARD_NOTIFY=@Microsoft.KeyVault(VaultName=acme-kv)\n", 1, "SWITCHYARD_NOTIFY is not a Key Vault reference deploy understands"},
	} {
		code, stdout, stderr := deploy(t, append(append(slices.Clone(deployArgs), c.args...), "--settings", settingsFile(t, c.file))...)
		if code != c.code || !strings.Contains(stderr, c.names) || strings.Contains(stdout, "az ") {
			t.Errorf("%v: exit %d, want %d naming %q, nothing run:\n%s%s", c.args, code, c.code, c.names, stdout, stderr)
		}
	}
}
