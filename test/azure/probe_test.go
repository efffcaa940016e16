// Package azure tests the probe's Azure Functions form (functions/probe,
// azure.go) with no Azure account: the real binary, started as a custom
// handler by a stand-in for the Functions host that plays the host's
// documented protocol (host_test.go) with the app's real host.json and
// function.json files (infra/azure), against the local world.
package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/peers"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/world"
	"github.com/switchyard-dns/switchyard/test/internal/testbin"
)

// azureID is the Azure vantage point under test: one more beside the
// world's five (whose azure:westeurope runs in process). The world's nodes
// do not list it as a peer (their peer lists are fixed); it lists all of
// them, so its quorum is a majority of six.
const azureID = "azure:eastus"

// setup starts a world whose own vantage points never start a failover
// (FAIL_AFTER is out of reach) but answer peers, and the probe binary as
// the app's custom handler, configured as one more vantage point. Its
// secrets arrive as values: the platform resolves Key Vault references
// before the process starts.
func setup(t testing.TB) (*world.World, *funcHost, config.Config) {
	t.Helper()
	app := readAppFiles(t)
	binary := testbin.Build(t, "./functions/probe")
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w, err := world.Start(ctx, world.Options{Interval: time.Second, FailAfter: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)

	c := w.Nodes[0].Config
	c.Vantage = azureID
	c.Peers = nil
	for _, n := range w.Nodes {
		c.Peers = append(c.Peers, config.Peer{ID: n.ID, URL: n.URL})
	}
	c.FailAfter = 2
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return w, startHost(t, app, binary, envOf(c)), c
}

// envOf is the app settings for c: every variable that is set.
func envOf(c config.Config) map[string]string {
	env := map[string]string{}
	for _, kv := range c.Environ() {
		if name, value, _ := strings.Cut(kv, "="); value != "" {
			env[name] = value
		}
	}
	return env
}

// roundResult mirrors the timer invocation's ReturnValue.
type roundResult struct {
	Vantage  string `json:"vantage"`
	Active   string `json:"active"`
	Primary  bool   `json:"primary_ok"`
	Decision string `json:"decision"`
	Down     int    `json:"down_votes"`
	Up       int    `json:"up_votes"`
	Switched bool   `json:"switched"`
	Error    string `json:"error"`
}

func tick(t *testing.T, h *funcHost) (roundResult, []string) {
	t.Helper()
	resp, err := h.Tick(t, "round", false)
	if err != nil {
		t.Fatal(err)
	}
	var r roundResult
	if err := json.Unmarshal(resp.ReturnValue, &r); err != nil {
		t.Fatalf("ReturnValue %s: %v", resp.ReturnValue, err)
	}
	return r, resp.Logs
}

// The app's files are what the form needs: the timer every 10 s (the
// default interval) with a seconds field, the HTTP routes at the paths the
// probe serves, proxied, anonymous (the HMAC is the authentication).
func TestAppFiles(t *testing.T) {
	app := readAppFiles(t)
	if got := app.Host.CustomHandler.Description.DefaultExecutablePath; got != "probe" {
		t.Errorf("defaultExecutablePath %q, want probe (the deploy script ships the binary as ./probe)", got)
	}
	if !app.Host.CustomHandler.EnableProxyingHTTPRequest {
		t.Error("host.json: enableProxyingHttpRequest is off: /observe would get an envelope, not the signed request")
	}
	if p := app.Host.Extensions.HTTP.RoutePrefix; p == nil || *p != "" {
		t.Error(`host.json: extensions.http.routePrefix must be "" so peers call <app>/observe like every other vantage point`)
	}
	// A round takes at most a check, the peers' votes and a DNS write;
	// the Consumption plan allows up to 10 minutes.
	if ft, err := time.Parse("15:04:05", app.Host.FunctionTimeout); err != nil ||
		ft.Sub(ft.Truncate(24*time.Hour)) < 30*time.Second || ft.Sub(ft.Truncate(24*time.Hour)) > 10*time.Minute {
		t.Errorf("functionTimeout %q, want between 00:00:30 and 00:10:00", app.Host.FunctionTimeout)
	}
	round := app.trigger(t, "round")
	if round.Type != "timerTrigger" || round.Schedule != "*/10 * * * * *" {
		t.Errorf("round trigger = %+v, want a timer every 10 s (NCRONTAB with seconds)", round)
	}
	def := ""
	for _, v := range config.Usage() {
		if v.Name == "SWITCHYARD_INTERVAL" {
			def = v.Default
		}
	}
	if def != "10s" {
		t.Errorf("SWITCHYARD_INTERVAL defaults to %q: the timer schedule no longer matches it", def)
	}
	if round.UseMonitor == nil || *round.UseMonitor {
		t.Error("round: useMonitor must be false (no schedule-status blob write every 10 s)")
	}
	for fn, want := range map[string]string{"observe": "post", "status": "get"} {
		b := app.trigger(t, fn)
		if b.Type != "httpTrigger" || b.Route != fn || b.AuthLevel != "anonymous" || len(b.Methods) != 1 || b.Methods[0] != want {
			t.Errorf("%s trigger = %+v, want anonymous %s /%s", fn, b, want, fn)
		}
	}
	if len(app.Functions) != 3 {
		t.Errorf("functions %v, want round, observe and status only (no route may reach the timer's path)", app.Functions)
	}
}

func TestTimerInvocationsProbeVoteAndSwitch(t *testing.T) {
	w, h, _ := setup(t)

	// A healthy round: no vote, nothing to do.
	r, logs := tick(t, h)
	if !r.Primary || r.Switched || r.Error != "" || r.Vantage != azureID {
		t.Fatalf("healthy round = %+v", r)
	}
	if len(logs) != 1 || !strings.Contains(logs[0], "primary_ok=true") {
		t.Errorf("invocation Logs %q, want one summary line", logs)
	}

	// The primary fails; FAIL_AFTER=2 timer invocations later, the
	// streak kept in the process across invocations, the vantage point
	// asks its peers, all six vote down, and it switches.
	w.Primary.SetDown(true)
	before := w.Primary.Requests()
	if r, _ = tick(t, h); r.Primary || r.Switched {
		t.Fatalf("first failing round = %+v, want a failure and no switch yet", r)
	}
	if r, _ = tick(t, h); !r.Switched || r.Active != "standby" || r.Error != "" {
		t.Fatalf("second failing round = %+v, want a switch to the standby", r)
	}
	if w.Primary.Requests() == before {
		t.Error("the primary origin saw no request from the Azure vantage point")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.WaitAnswer(ctx, world.StandbyTarget); err != nil {
		t.Fatal(err)
	}
	txt := stateTXT(t, w)
	want := fmt.Sprintf("%d/%d down", len(w.Nodes)+1, len(w.Nodes)+1)
	if !strings.Contains(txt, "by="+azureID) || !strings.Contains(txt, want) {
		t.Errorf("state %s, want the Azure vantage point's switch on the vote of all (%s)", txt, want)
	}
	// The handler's own log line of the invocation carries its id.
	if got := h.Out.Await(`"switched":true`, 5*time.Second); len(got) != 1 || !strings.Contains(got[0], `"invocationId":"`+h.LastID()+`"`) {
		t.Errorf("log lines of the switching invocation %q, want one carrying its invocation id %s", got, h.LastID())
	}
	for _, secret := range w.Secrets() {
		if secret != "" && strings.Contains(h.Out.String(), secret) { // unused DNS providers' secrets are empty
			t.Fatal("a secret value reached the handler's output")
		}
	}
}

// Streaks live in the process across invocations, and a gap longer than
// three intervals (the app slept, or the timer moved to another instance
// and back) starts them afresh: an old failure never completes a new
// suspicion. The probe's clock is real, so the gap is a real wait.
func TestAGapForgetsTheStreak(t *testing.T) {
	w, h, c := setup(t)
	w.Primary.SetDown(true)
	if r, _ := tick(t, h); r.Primary || r.Switched {
		t.Fatalf("first failing round = %+v", r)
	}
	time.Sleep(3*c.Interval + c.Interval/2)
	if r, _ := tick(t, h); r.Primary || r.Switched {
		t.Fatalf("failing round after a gap of 3.5 intervals = %+v, want no switch: the streak starts afresh", r)
	}
	if r, _ := tick(t, h); !r.Switched {
		t.Fatalf("next failing round = %+v, want the switch (FAIL_AFTER=2 consecutive)", r)
	}
	if got := h.Out.Matching("forgetting results from an earlier run"); len(got) != 1 {
		t.Errorf("log lines %q, want one saying the streak was forgotten", got)
	}
}

// The same binary against the local world as a user serves it
// (`go run ./infra/local --serve`), configured from the env file it
// writes: a vantage point that alone cannot reach the primary suspects
// on its first timer invocation, asks the world's vantage points, which
// see it up, and the quorum refuses.
func TestTimerInvocationAgainstTheServedLocalWorld(t *testing.T) {
	_, envFile := testbin.ServeLocalWorld(t)
	env, err := config.ReadEnvFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	delete(env, "SWITCHYARD_LOCAL_DNS_ADDR")
	env["SWITCHYARD_VANTAGE"] = azureID
	env["SWITCHYARD_FAIL_AFTER"] = "1"
	// The world's primary check is an S3 GetObject; this vantage point's
	// goes to an endpoint where nothing listens.
	check, err := url.Parse(env["SWITCHYARD_PRIMARY_CHECK"])
	if err != nil || check.Scheme != "s3" || check.Query().Get("endpoint") == "" {
		t.Fatalf("the world's primary check %q is not an s3:// check with an endpoint", env["SWITCHYARD_PRIMARY_CHECK"])
	}
	q := check.Query()
	q.Set("endpoint", "http://127.0.0.1:"+strconv.Itoa(freePort(t)))
	check.RawQuery = q.Encode()
	env["SWITCHYARD_PRIMARY_CHECK"] = check.String()
	h := startHost(t, readAppFiles(t), testbin.Build(t, "./functions/probe"), env)
	r, logs := tick(t, h)
	// The world's vantage points see the primary up (on a host so loaded
	// that their own checks time out, some may say down: the decision
	// must still follow the votes, a majority of all six).
	peers := len(strings.Split(env["SWITCHYARD_PEERS"], ","))
	quorum := (peers+1)/2 + 1
	if r.Primary || r.Down < 1 || r.Up < 1 {
		t.Fatalf("round = %+v, want a suspicion that asked the peers", r)
	}
	if r.Down < quorum && (r.Switched || r.Decision != "refuse") {
		t.Fatalf("round = %+v, want the switch refused on %d down votes (quorum %d)", r, r.Down, quorum)
	}
	if r.Down != 1 || r.Up != peers {
		t.Logf("votes %d down, %d up (want 1 and %d on an idle host: peers' own checks timed out)", r.Down, r.Up, peers)
	}
	if len(logs) != 1 || !strings.Contains(logs[0], "decision="+r.Decision) {
		t.Errorf("invocation Logs %q", logs)
	}
}

func stateTXT(t *testing.T, w *world.World) string {
	t.Helper()
	for _, r := range w.CF.Records() {
		if r.Name == state.RecordName(world.Record) && r.Type == "TXT" {
			return r.Content
		}
	}
	t.Fatal("no state TXT record")
	return ""
}

func TestProxiedRequestsServeStatusAndSignedObserve(t *testing.T) {
	w, h, c := setup(t)
	tick(t, h) // a round, so /status has something to show

	resp, err := http.Get(h.URL + "/status")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"vantage": "`+azureID+`"`) {
		t.Fatalf("GET /status = %d %s", resp.StatusCode, body)
	}

	// A real peer client, through the host's public endpoint: the signed
	// request reaches the handler byte for byte and the reply verifies.
	client := &peers.Client{Self: "gcp:europe-west1", Secret: []byte(w.Secret()), Timeout: 5 * time.Second, Skew: c.ClockSkew}
	replies := client.ObserveAll(context.Background(), []peers.Peer{{ID: azureID, URL: h.URL}})
	if err := replies[0].Err; err != nil {
		t.Fatalf("signed observe through the Functions host: %v", err)
	}
	if obs := replies[0].Obs; obs.Vantage != azureID || !obs.Primary.OK || !obs.Standby.OK {
		t.Errorf("observation = %+v, want %s seeing both origins up", obs, azureID)
	}

	// The same exchange signed with another key gets 401 before any probe.
	before := w.Primary.Requests()
	bad := &peers.Client{Self: "gcp:europe-west1", Secret: []byte("not-the-peer-key-0123456789abcdef"), Timeout: 5 * time.Second, Skew: c.ClockSkew}
	if err := bad.ObserveAll(context.Background(), []peers.Peer{{ID: azureID, URL: h.URL}})[0].Err; err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrongly signed observe: %v, want a 401 refusal", err)
	}
	if w.Primary.Requests() != before {
		t.Error("a wrongly signed request made the vantage point probe")
	}
	resp, err = http.Post(h.URL+"/observe", "application/json", strings.NewReader(`{"from":"gcp:europe-west1"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned /observe: %d, want 401", resp.StatusCode)
	}

	// The timer's path has no public route.
	resp, err = http.Post(h.URL+"/round", "application/json", strings.NewReader(`{"Data":{"timer":{}}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("public POST /round: %d, want 404", resp.StatusCode)
	}
}

func TestBadEnvelopeFailsTheInvocation(t *testing.T) {
	_, h, _ := setup(t)
	for name, envelope := range map[string]string{
		"not JSON":    `{"Data":`,
		"no timer":    `{"Data":{},"Metadata":{}}`,
		"not a timer": `{"Data":{"timer":"soon"},"Metadata":{}}`,
	} {
		_, err := h.invoke(t, "round", []byte(envelope))
		if err == nil || !strings.Contains(err.Error(), "round") {
			t.Errorf("%s: %v, want a failed invocation naming the function", name, err)
		}
	}
}

// An app setting whose Key Vault reference the platform could not resolve
// arrives as the reference text; the handler refuses to start, names the
// setting and says what to fix, instead of signing with the text.
func TestUnresolvedKeyVaultReferenceStopsTheStart(t *testing.T) {
	w, err := world.Start(context.Background(), world.Options{Interval: time.Second, FailAfter: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	c := w.Nodes[0].Config
	c.Vantage = azureID
	env := envOf(c)
	env["SWITCHYARD_SECRET"] = "@Microsoft.KeyVault(SecretUri=https://switchyard-kv.vault.azure.net/secrets/peer-secret/)"
	cmd := exec.Command(testbin.Build(t, "./functions/probe"))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "FUNCTIONS_CUSTOMHANDLER_PORT=" + strconv.Itoa(freePort(t))}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != 2 {
		t.Fatalf("exit %d (%v), want 2; output:\n%s", code, err, out.String())
	}
	if !strings.Contains(out.String(), "SWITCHYARD_SECRET") || !strings.Contains(out.String(), "Key Vault Secrets User") {
		t.Errorf("output does not name the setting and the fix:\n%s", out.String())
	}
	if strings.Contains(out.String(), w.Token()) {
		t.Fatal("a secret value reached the output")
	}
}
