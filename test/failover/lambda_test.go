package failover_test

// scripts/failover --via lambda against the real failover bootstrap under
// the AWS Lambda Runtime Interface Emulator, invoked through the AWS CLI
// exactly as an operator invokes the deployed function, with the local
// world behind it. Needs aws (CI: apt-get install -y awscli), jq and
// aws-lambda-rie (rie.Install; scripts/test installs it); skips without them.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/drill"
	"github.com/switchyard-dns/switchyard/dnsfailover/manual"
	"github.com/switchyard-dns/switchyard/dnsfailover/secrets/secretstest"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/world"
	"github.com/switchyard-dns/switchyard/test/internal/rie"
)

// The secrets are given to the function the way samconfig.toml gives them:
// as references, fetched at the cold start (from a local Secrets Manager
// and SSM here).
const (
	hmacARN   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:switchyard-hmac-AbCdEf"
	tokenName = "/switchyard/cloudflare-api-token"
)

// lambdaTools skips, naming what is missing, without the AWS CLI, jq or
// the emulator.
func lambdaTools(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws (the AWS CLI) not installed: apt-get install -y awscli")
	}
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("jq not installed: apt-get install -y jq")
	}
	rie.Find(t)
}

// lambdaEnv is a world with the failover bootstrap under the emulator,
// configured from the operator's env file.
type lambdaEnv struct {
	*env
	em *rie.Emulator
}

func startLambda(t *testing.T) *lambdaEnv {
	t.Helper()
	lambdaTools(t)
	bootstrap := rie.Build(t, "./functions/failover", "")
	e := startWorld(t, world.Options{})

	store := secretstest.New(map[string]string{hmacARN: e.w.Secret(), tokenName: e.w.Token()})
	t.Cleanup(store.Close)
	fenv, err := config.ReadEnvFile(e.envFile)
	if err != nil {
		t.Fatal(err)
	}
	fenv["SWITCHYARD_SECRET"] = hmacARN
	fenv["SWITCHYARD_CLOUDFLARE_API_TOKEN"] = "ssm:" + tokenName
	for k, v := range map[string]string{
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDFAILOVERTEST", "AWS_SECRET_ACCESS_KEY": "failover-test-key",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": store.URL, "AWS_ENDPOINT_URL_SSM": store.URL,
		"AWS_LAMBDA_FUNCTION_NAME": "switchyard-failover", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
		"AWS_LAMBDA_FUNCTION_TIMEOUT": "90", // template.yaml
	} {
		fenv[k] = v
	}

	return &lambdaEnv{env: e, em: rie.Start(t, bootstrap, fenv)}
}

// viaLambda runs scripts/failover --via lambda against the emulator, as
// operator alice, with dummy AWS credentials and none of the machine's AWS
// configuration.
func (le *lambdaEnv) viaLambda(t *testing.T, stdin string, args ...string) run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all := append([]string{"--via", "lambda", "--region", "us-east-1", "--function", "function", "--endpoint-url", le.em.Endpoint}, args...)
	cmd := exec.CommandContext(ctx, filepath.Join(repoRoot(), "scripts", "failover"), all...)
	dir := t.TempDir()
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "USER=alice",
		"AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x", "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "aws-config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "aws-credentials")}
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := run{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
	if err != nil && r.code < 0 {
		t.Fatalf("scripts/failover %v: %v", all, err)
	}
	for _, s := range []string{le.w.Token(), le.w.Secret()} {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("scripts/failover %v printed a secret", args)
		}
	}
	return r
}

func TestViaLambda(t *testing.T) {
	le := startLambda(t)
	le.waitRounds(t, 1)

	t.Run("status", func(t *testing.T) {
		r := le.viaLambda(t, "", "status")
		var res manual.Result
		if err := json.Unmarshal([]byte(r.stdout), &res); r.code != 0 || err != nil {
			t.Fatalf("status: %v\n%s", err, r)
		}
		if res.Action != "status" || res.Changed || res.Status == nil || res.Status.Current.Side != state.Primary ||
			!res.Status.Health.Primary.OK || !res.Status.Health.Standby.OK {
			t.Fatalf("status = %+v", res)
		}
		if len(res.Status.Vantages) != len(le.w.Nodes) {
			t.Fatalf("status shows %d vantage points, want the %d peers", len(res.Status.Vantages), len(le.w.Nodes))
		}
		for _, v := range res.Status.Vantages {
			if v.Error != "" || v.Round == nil {
				t.Errorf("vantage point %s: %+v, want its latest round", v.ID, v)
			}
		}
	})

	t.Run("drill", func(t *testing.T) {
		before := le.batches()
		r := le.viaLambda(t, "", "drill")
		var rep drill.Report
		if err := json.Unmarshal([]byte(r.stdout), &rep); r.code != 0 || err != nil {
			t.Fatalf("drill: %v\n%s", err, r)
		}
		if !rep.Passed || rep.Record != world.DrillRecord {
			t.Fatalf("drill on %s passed=%v: %s", rep.Record, rep.Passed, rep.Reason)
		}
		// The quorum round signs with the secret fetched at the cold start:
		// every peer answered it.
		quorum := false
		for _, s := range rep.Steps {
			quorum = quorum || (s.Name == "quorum round" && s.Status == drill.Pass)
		}
		if !quorum {
			t.Errorf("no passed quorum round among %+v", rep.Steps)
		}
		for _, p := range rep.Peers {
			if !p.Answered {
				t.Errorf("vantage point %s did not answer the drill: %s", p.ID, p.Error)
			}
		}
		if le.batches() == before {
			t.Error("the drill wrote nothing: it did not switch the drill record")
		}
		if content, st := le.record(t); content != world.PrimaryTarget || st.Gen != 0 {
			t.Errorf("the drill changed the real record: %s %+v", content, st)
		}
	})

	t.Run("standby", func(t *testing.T) {
		r := le.viaLambda(t, "", "standby", "--reason", "S3 errors in us-east-1", "--yes")
		var res manual.Result
		if err := json.Unmarshal([]byte(r.stdout), &res); r.code != 0 || err != nil {
			t.Fatalf("standby: %v\n%s", err, r)
		}
		if !res.Changed || res.Before.Side != state.Primary || res.After.Side != state.Standby {
			t.Fatalf("standby = %+v", res)
		}
		le.waitAnswer(t, world.StandbyTarget, 5*time.Second)
		if _, st := le.record(t); st.Active != state.Standby || !st.Pinned || st.By != "manual:alice" || st.Reason != "S3 errors in us-east-1" {
			t.Fatalf("state after standby: %+v", st)
		}
	})

	t.Run("a move not confirmed changes nothing", func(t *testing.T) {
		before := le.batches()
		r := le.viaLambda(t, "n\n", "primary", "--reason", "back")
		if r.code != 1 || !strings.Contains(r.stderr, "not confirmed; nothing changed") {
			t.Fatalf("primary, answered n: %s", r)
		}
		// The plan shown first is the function's dry run.
		plan := strings.TrimPrefix(r.stdout, "== planned change (dry run):\n")
		var res manual.Result
		if err := json.Unmarshal([]byte(plan), &res); err != nil || !res.DryRun || res.Changed || res.After.Side != state.Primary {
			t.Fatalf("plan: %v %+v\n%s", err, res, r)
		}
		if le.batches() != before {
			t.Error("the DNS API was written")
		}
		if _, st := le.record(t); st.Active != state.Standby {
			t.Fatalf("state: %+v", st)
		}
	})

	t.Run("a bad request is an input error", func(t *testing.T) {
		before := le.batches()
		r := le.viaLambda(t, "", "failback", "--yes")
		if r.code != 2 || !strings.Contains(r.stderr, "InputError") || !strings.Contains(r.stderr, `unknown action "failback"`) {
			t.Fatalf("failback: %s", r)
		}
		if le.batches() != before {
			t.Error("the DNS API was written")
		}
	})

	t.Run("primary", func(t *testing.T) {
		r := le.viaLambda(t, "", "primary", "--reason", "recovered", "--yes")
		var res manual.Result
		if err := json.Unmarshal([]byte(r.stdout), &res); r.code != 0 || err != nil || !res.Changed || res.After.Side != state.Primary {
			t.Fatalf("primary: %v %+v\n%s", err, res, r)
		}
		le.waitAnswer(t, world.PrimaryTarget, 5*time.Second)
	})

	t.Run("hold --for", func(t *testing.T) {
		r := le.viaLambda(t, "", "hold", "--for", "2h", "--reason", "database maintenance", "--yes")
		var res manual.Result
		if err := json.Unmarshal([]byte(r.stdout), &res); r.code != 0 || err != nil || !res.Changed || res.After.Side != state.Primary {
			t.Fatalf("hold: %v %+v\n%s", err, res, r)
		}
		_, st := le.record(t)
		if until := time.Until(st.Until); !st.Pinned || until <= 2*time.Hour-time.Minute || until > 2*time.Hour+time.Second ||
			st.Reason != "database maintenance" || st.By != "manual:alice" {
			t.Fatalf("state after hold --for 2h: %+v", st)
		}
		before := le.batches()
		for _, tt := range []struct {
			args []string
			code int
			msg  string
		}{
			{[]string{"hold", "--for", "soon", "--yes"}, 2, `InputError: bad payload: for "soon": want a duration such as "2h"`},
			{[]string{"hold", "--for", "9000h", "--yes"}, 2, "InputError: hold --for 9000h0m0s: want a duration from 1s"},
			{[]string{"hold", "--yes"}, 2, "hold needs --for DURATION"},
			{[]string{"standby", "--for", "2h", "--yes"}, 2, "--for is only for hold"},
		} {
			if r := le.viaLambda(t, "", tt.args...); r.code != tt.code || !strings.Contains(r.stderr, tt.msg) {
				t.Errorf("%v: want exit %d saying %q, got %s", tt.args, tt.code, tt.msg, r)
			}
		}
		if le.batches() != before {
			t.Error("a refused hold wrote to the DNS API")
		}
	})

	out := le.em.Out.String()
	for _, s := range []string{le.w.Token(), le.w.Secret()} {
		if strings.Contains(out, s) {
			t.Error("the function's output holds a secret")
		}
	}
	if !strings.Contains(out, `"secret resolved"`) {
		t.Errorf("the function did not log resolving its secret references:\n%s", out)
	}
}
