package lambdaform_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/switchyard-dns/switchyard/functions/internal/lambdaform"
)

func TestShapeOfGoldenEvents(t *testing.T) {
	for file, want := range map[string]lambdaform.Shape{
		"scheduled-event.json":                    lambdaform.Scheduled,
		"function-url-status.json":                lambdaform.FunctionURL,
		"function-url-observe-bad-signature.json": lambdaform.FunctionURL,
	} {
		raw, err := os.ReadFile("../../../test/lambda/testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		if got := lambdaform.ShapeOf(raw); got != want {
			t.Errorf("%s: %s, want %s", file, got, want)
		}
	}
	for _, raw := range []string{`{"action":"status"}`, `[]`, `not json`, `{"requestContext":{}}`} {
		if got := lambdaform.ShapeOf([]byte(raw)); got != lambdaform.Unknown {
			t.Errorf("%s: %s, want unknown", raw, got)
		}
	}
}

// The handler sees the request exactly as sent (raw body bytes, query,
// headers) and its response comes back intact, binary bodies as base64.
func TestServeFunctionURLRoundTrip(t *testing.T) {
	body := []byte("{\"from\":\"aws:us-west-2\"}\n\x00\xff")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ := io.ReadAll(r.Body)
		if !bytes.Equal(got, body) || r.URL.Path != "/observe" || r.URL.Query().Get("a") != "1" ||
			r.Header.Get("X-Switchyard-Nonce") != "abc" || r.Method != http.MethodPost {
			http.Error(w, "request altered", http.StatusTeapot)
			return
		}
		w.Header().Add("X-Multi", "1")
		w.Header().Add("X-Multi", "2")
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte{0xff, 0x00})
	})
	e := events.LambdaFunctionURLRequest{
		RawPath: "/observe", RawQueryString: "a=1",
		Headers: map[string]string{"x-switchyard-nonce": "abc"},
		Body:    base64.StdEncoding.EncodeToString(body), IsBase64Encoded: true,
		RequestContext: events.LambdaFunctionURLRequestContext{
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: http.MethodPost, SourceIP: "198.51.100.1"},
		},
	}
	resp := lambdaform.ServeFunctionURL(context.Background(), h, e)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	if !resp.IsBase64Encoded || resp.Body != base64.StdEncoding.EncodeToString([]byte{0xff, 0x00}) {
		t.Errorf("binary body = %q (base64 %v)", resp.Body, resp.IsBase64Encoded)
	}
	if resp.Headers["X-Multi"] != "1, 2" {
		t.Errorf("X-Multi = %q", resp.Headers["X-Multi"])
	}

	e.Body = "%%%"
	if resp := lambdaform.ServeFunctionURL(context.Background(), h, e); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad base64: %d, want 400", resp.StatusCode)
	}
}

func TestLogLinesCarryTheRequestID(t *testing.T) {
	var out bytes.Buffer
	log, inv := lambdaform.NewLogger(&out, slog.LevelInfo)
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	inv.Begin(ctx)
	log.With("vantage", "aws:us-east-1").Info("during") // no context: still stamped
	inv.End()
	log.Info("after")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"requestId":"req-1"`) || strings.Contains(lines[1], "requestId") {
		t.Errorf("log lines:\n%s\nwant the request id on the first only", out.String())
	}
}
