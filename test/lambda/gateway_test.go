package lambda

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/switchyard-dns/switchyard/test/internal/rie"
)

// gateway plays the Lambda Function URL service in front of an emulator:
// it turns each HTTP request into the event a Function URL sends and the
// function's response back into HTTP, so a real peer client can call the
// Lambda vantage point over HTTP, signatures and all.
type gateway struct {
	t  testing.TB
	em *rie.Emulator
}

func (g gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	headers := map[string]string{}
	for k, vs := range r.Header {
		// Function URLs send lower-case names and join repeated values.
		headers[http.CanonicalHeaderKey(k)] = vs[0]
		for _, v := range vs[1:] {
			headers[http.CanonicalHeaderKey(k)] += "," + v
		}
	}
	e := events.LambdaFunctionURLRequest{
		Version: "2.0", RawPath: r.URL.Path, RawQueryString: r.URL.RawQuery, Headers: lower(headers),
		RequestContext: events.LambdaFunctionURLRequestContext{
			DomainName: r.Host, RequestID: "gw-" + time.Now().Format("150405.000000"),
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{
				Method: r.Method, Path: r.URL.Path, Protocol: r.Proto, SourceIP: "127.0.0.1", UserAgent: r.UserAgent(),
			},
		},
		// Function URLs base64-encode bodies they do not know to be text.
		Body: base64.StdEncoding.EncodeToString(body), IsBase64Encoded: true,
	}
	event, err := json.Marshal(e)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var resp events.LambdaFunctionURLResponse
	if err := json.Unmarshal(g.em.Invoke(g.t, event), &resp); err != nil {
		http.Error(w, "bad function response: "+err.Error(), http.StatusBadGateway)
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	out := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if out, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			http.Error(w, "bad function response body", http.StatusBadGateway)
			return
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(out)
}

func lower(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		b := []byte(k)
		for i, c := range b {
			if 'A' <= c && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		out[string(b)] = v
	}
	return out
}
