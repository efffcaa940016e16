package lambdaform

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// MaxBody bounds a request body decoded from an event. Function URLs
// accept up to 6 MB; switchyard's peer messages are under 1 KiB.
const MaxBody = 64 << 10

// ServeFunctionURL runs h on the request a Function URL event carries and
// returns h's response as the event response, so the same handler serves
// `probe serve` and the Lambda. The body reaches h byte for byte (decoded
// from base64 when the event says so), which matters because peer
// signatures cover the raw body.
func ServeFunctionURL(ctx context.Context, h http.Handler, e events.LambdaFunctionURLRequest) events.LambdaFunctionURLResponse {
	r, err := Request(ctx, e)
	if err != nil {
		return events.LambdaFunctionURLResponse{
			StatusCode: http.StatusBadRequest,
			Headers:    map[string]string{"Content-Type": "text/plain; charset=utf-8"},
			Body:       err.Error() + "\n",
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return Response(rec.Result().StatusCode, rec.Header(), rec.Body.Bytes())
}

// Request converts a Function URL event to an *http.Request.
func Request(ctx context.Context, e events.LambdaFunctionURLRequest) (*http.Request, error) {
	body := []byte(e.Body)
	if e.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(e.Body); err != nil {
			return nil, fmt.Errorf("body is not valid base64: %w", err)
		}
	}
	if len(body) > MaxBody {
		return nil, fmt.Errorf("body of %d bytes is larger than %d", len(body), MaxBody)
	}
	path := e.RawPath
	if path == "" {
		path = "/"
	}
	target := path
	if e.RawQueryString != "" {
		target += "?" + e.RawQueryString
	}
	r, err := http.NewRequestWithContext(ctx, e.RequestContext.HTTP.Method, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("bad request line: %w", err)
	}
	for k, v := range e.Headers {
		// Function URLs join repeated headers with commas, as HTTP allows.
		r.Header.Set(k, v)
	}
	if len(e.Cookies) > 0 {
		r.Header.Set("Cookie", strings.Join(e.Cookies, "; "))
	}
	r.Host = e.RequestContext.DomainName
	r.RemoteAddr = e.RequestContext.HTTP.SourceIP
	r.RequestURI = target
	r.ContentLength = int64(len(body))
	return r, nil
}

// Response builds the event response: headers joined as HTTP allows, the
// body as text when it is UTF-8 and base64 otherwise.
func Response(status int, header http.Header, body []byte) events.LambdaFunctionURLResponse {
	out := events.LambdaFunctionURLResponse{StatusCode: status, Headers: map[string]string{}}
	for k, vs := range header {
		if http.CanonicalHeaderKey(k) == "Set-Cookie" {
			out.Cookies = append(out.Cookies, vs...)
			continue
		}
		out.Headers[k] = strings.Join(vs, ", ")
	}
	if utf8.Valid(body) {
		out.Body = string(body)
	} else {
		out.Body = base64.StdEncoding.EncodeToString(body)
		out.IsBase64Encoded = true
	}
	return out
}
