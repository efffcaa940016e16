package peers

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// FuzzHandler sends arbitrary bodies and signature headers to the /observe
// handler, both unsigned and correctly signed: it must never panic, must
// answer only with the documented statuses and a JSON body, and must never
// serve an observation to a request whose signature does not verify.
func FuzzHandler(f *testing.F) {
	f.Add([]byte(`{"from":"aws:us-east-1"}`), "aws:us-east-1", "1764090000", "00112233445566778899aabbccddeeff", "00", "application/json", true)
	f.Add([]byte(`{"from":"other"}`), "aws:us-east-1", "x", "nonce", "zz", "text/plain", true)
	f.Add([]byte(`{"from":"aws:us-east-1"}`), "aws:us-east-1", "1764090000", "00112233445566778899aabbccddeeff", "other", "application/json", true)
	f.Add([]byte(`{`), "", "", "", "", "", false)
	f.Add(bytes.Repeat([]byte("a"), 5000), "a:b", "-9223372036854775808", "", "", "", true)
	key := []byte("fuzz-key-0123456789abcdef-0123456789abcdef")
	now := time.Unix(1764090000, 0)
	// One handler for every input, as in a server: its replay cache fills
	// up, and "replay" and "busy" are answers it must give cleanly too.
	const self = "gcp:europe-west1"
	h, err := NewHandler(HandlerOptions{
		Self:    self,
		Secrets: [][]byte{key},
		Now:     func() time.Time { return now },
		Observe: func(context.Context) Observation { return Observation{Vantage: "gcp:europe-west1", At: now} },
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, vantage, ts, nonce, sig, ctype string, signIt bool) {
		req := httptest.NewRequest(http.MethodPost, Path, bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		signed := false
		if signIt && validNonce(nonce) && len(vantage) <= maxVantage {
			// Addressed to this handler, or (sig "other") to another peer,
			// which must never be served.
			to := self
			if sig == "other" {
				to = "azure:westeurope"
			}
			sign(req.Header, key, kindRequest, envelope{Vantage: vantage, To: to, Timestamp: now.Unix(), Nonce: nonce}, body)
			signed = req.Header.Get(HeaderVantage) == vantage && to == self // a header cannot hold every string
		} else {
			for k, v := range map[string]string{HeaderVantage: vantage, HeaderTo: self, HeaderTimestamp: ts, HeaderNonce: nonce, HeaderSignature: sig} {
				req.Header.Set(k, v)
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			if !signed {
				t.Fatalf("served an observation to an unsigned request (body %q)", body)
			}
			var obs Observation
			if err := json.Unmarshal(rec.Body.Bytes(), &obs); err != nil {
				t.Fatalf("reply is not an observation: %v", err)
			}
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge, http.StatusServiceUnavailable:
			var reply errorReply
			if err := json.Unmarshal(rec.Body.Bytes(), &reply); err != nil || reply.Reason == "" {
				t.Fatalf("status %d with body %q: want a JSON reason", rec.Code, rec.Body.Bytes())
			}
		default:
			t.Fatalf("status %d (%s)", rec.Code, strconv.Quote(rec.Body.String()))
		}
	})
}
