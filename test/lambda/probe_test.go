package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/peers"
	"github.com/switchyard-dns/switchyard/dnsfailover/secrets/secretstest"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/world"
	"github.com/switchyard-dns/switchyard/test/internal/rie"
)

// lambdaID is the Lambda vantage point: a sixth one beside the world's
// five. The world's nodes do not list it as a peer (their peer lists are
// fixed); it lists all of them, so its quorum is a majority of six.
const lambdaID = "aws:ap-southeast-2"

const (
	hmacARN   = "arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:switchyard-hmac-AbCdEf"
	tokenName = "/switchyard/cloudflare-token"
)

// setup starts a world whose own vantage points never start a failover
// (FAIL_AFTER is out of reach) but answer peers, a local Secrets Manager
// and SSM, and the bootstrap under the emulator configured as the sixth
// vantage point with its secrets given as references.
func setup(t testing.TB, timeout time.Duration) (*world.World, *rie.Emulator, config.Config) {
	t.Helper()
	w, c, env := prepare(t, timeout, nil)
	return w, rie.Start(t, rie.Build(t, "./functions/probe", ""), env), c
}

// prepare starts what setup starts but the emulator, with mod applied to
// the Lambda vantage point's configuration, and returns the function's
// environment.
func prepare(t testing.TB, timeout time.Duration, mod func(*config.Config)) (*world.World, config.Config, map[string]string) {
	t.Helper()
	rie.Build(t, "./functions/probe", "")
	rie.Find(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w, err := world.Start(ctx, world.Options{Interval: time.Second, FailAfter: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)

	store := secretstest.New(map[string]string{hmacARN: w.Secret(), tokenName: w.Token()})
	t.Cleanup(store.Close)

	c := w.Nodes[0].Config
	c.Vantage = lambdaID
	c.Peers = nil
	for _, n := range w.Nodes {
		c.Peers = append(c.Peers, config.Peer{ID: n.ID, URL: n.URL})
	}
	c.FailAfter = 2
	if mod != nil {
		mod(&c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	env := envOf(c)
	env["SWITCHYARD_SECRET"] = hmacARN
	delete(env, "SWITCHYARD_CLOUDFLARE_API_TOKEN")
	env["CLOUDFLARE_API_TOKEN"] = "ssm:" + tokenName
	for k, v := range map[string]string{
		"AWS_REGION": "ap-southeast-2", "AWS_ACCESS_KEY_ID": "AKIDLAMBDATEST", "AWS_SECRET_ACCESS_KEY": "lambda-test-key",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": store.URL, "AWS_ENDPOINT_URL_SSM": store.URL,
		"AWS_LAMBDA_FUNCTION_NAME": "switchyard-probe", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
		"AWS_LAMBDA_FUNCTION_TIMEOUT": strconv.Itoa(int(timeout.Seconds())),
	} {
		env[k] = v
	}
	return w, c, env
}

func golden(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// scheduledResult mirrors the probe's answer to a scheduled event.
type scheduledResult struct {
	Rounds   int      `json:"rounds"`
	Switched bool     `json:"switched"`
	Active   string   `json:"active"`
	Errors   []string `json:"errors"`
}

func TestScheduledInvocationSwitchesOnARealOutage(t *testing.T) {
	w, em, _ := setup(t, 8*time.Second)
	w.Primary.SetDown(true)
	before := w.Primary.Requests()

	var res scheduledResult
	if err := json.Unmarshal(em.Invoke(t, golden(t, "scheduled-event.json")), &res); err != nil {
		t.Fatal(err)
	}
	if !res.Switched || res.Active != "standby" || len(res.Errors) > 0 {
		t.Fatalf("scheduled invocation = %+v, want a switch to the standby", res)
	}
	if res.Rounds < 2 {
		t.Errorf("%d rounds, want at least FAIL_AFTER=2 within one invocation", res.Rounds)
	}
	if w.Primary.Requests() == before {
		t.Error("the primary origin saw no request from the Lambda vantage point")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.WaitAnswer(ctx, world.StandbyTarget); err != nil {
		t.Fatal(err)
	}
	txt := stateTXT(t, w)
	if !strings.Contains(txt, "by="+lambdaID) || !strings.Contains(txt, "active=standby") {
		t.Errorf("state %s, want the Lambda vantage point's switch", txt)
	}
	if !strings.Contains(txt, "6/6 down") {
		t.Errorf("state reason %s, want the vote of all six vantage points", txt)
	}

	// EMF: the switching round's document, on the function's stdout.
	var switched bool
	for _, l := range em.Out.Matching(`"_aws"`) {
		var doc map[string]any
		if err := json.Unmarshal([]byte(l), &doc); err != nil {
			t.Errorf("EMF line is not JSON: %s", l)
			continue
		}
		if doc["Switches"] == 1.0 {
			switched = true
			if doc["DownVotes"] != 6.0 {
				t.Errorf("DownVotes = %v in the switching round, want 6", doc["DownVotes"])
			}
		}
	}
	if !switched {
		t.Error("no EMF document with Switches=1")
	}
	// JSON logs carry the invocation's request id.
	logs := em.Out.Matching(`"msg":"switched"`)
	if len(logs) != 1 || !strings.Contains(logs[0], `"requestId":"`) {
		t.Errorf("switch log lines %q, want one carrying requestId", logs)
	}
	for _, secret := range []string{w.Secret(), w.Token()} {
		if strings.Contains(em.Out.String(), secret) {
			t.Fatal("a secret value reached the function's output")
		}
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

func TestFunctionURLServesStatusAndSignedObserve(t *testing.T) {
	w, em, c := setup(t, 8*time.Second)

	// A round first, so /status has something to show.
	em.Invoke(t, golden(t, "scheduled-event.json"))
	var resp events.LambdaFunctionURLResponse
	if err := json.Unmarshal(em.Invoke(t, golden(t, "function-url-status.json")), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"vantage": "`+lambdaID+`"`) {
		t.Fatalf("GET /status = %d %s", resp.StatusCode, resp.Body)
	}

	// A well-formed, current, wrongly signed /observe is refused.
	var bad events.LambdaFunctionURLRequest
	if err := json.Unmarshal(golden(t, "function-url-observe-bad-signature.json"), &bad); err != nil {
		t.Fatal(err)
	}
	bad.Headers["x-switchyard-timestamp"] = strconv.FormatInt(time.Now().Unix(), 10)
	event, _ := json.Marshal(bad)
	if err := json.Unmarshal(em.Invoke(t, event), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Body, "bad_signature") {
		t.Errorf("badly signed /observe = %d %s, want 401 bad_signature", resp.StatusCode, resp.Body)
	}
	if got := em.Out.Await(`"RejectedPeerRequests":1`, 5*time.Second); len(got) == 0 {
		t.Error("no EMF document counting the refused peer request")
	}
	if body, _ := base64.StdEncoding.DecodeString(bad.Body); string(body) != `{"from":"aws:us-west-2"}` {
		t.Fatalf("golden body decodes to %q", body)
	}

	// A correctly signed request, through a Function URL stand-in, gets a
	// fresh signed observation back: the raw body reached the handler
	// intact through base64 and the event, and the reply verifies.
	gw := httptest.NewServer(gateway{t: t, em: em})
	defer gw.Close()
	client := &peers.Client{Self: "gcp:europe-west1", Secret: []byte(w.Secret()), Timeout: 5 * time.Second, Skew: c.ClockSkew}
	replies := client.ObserveAll(context.Background(), []peers.Peer{{ID: lambdaID, URL: gw.URL}})
	if err := replies[0].Err; err != nil {
		t.Fatalf("signed observe through the Function URL: %v", err)
	}
	if obs := replies[0].Obs; obs.Vantage != lambdaID || !obs.Primary.OK || !obs.Standby.OK {
		t.Errorf("observation = %+v, want %s seeing both origins up", obs, lambdaID)
	}
}

func TestUnknownEventIsANamedError(t *testing.T) {
	_, em, _ := setup(t, 8*time.Second)
	body := em.Invoke(t, []byte(`{"action":"status"}`))
	var e struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if e.ErrorType != "UnknownEventError" || !strings.Contains(e.ErrorMessage, "neither a scheduled") {
		t.Errorf("error = %+v, want UnknownEventError", e)
	}
}
