package cloudflare

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// FuzzResponseDecoding answers the provider's requests with an arbitrary
// status, Retry-After and body, as a broken or hostile API (or a proxy in
// front of it) might: Read must not panic, must not retry beyond its
// budget, must never hold the token in its error, and whatever it accepts
// must be one record with a parsable state.
func FuzzResponseDecoding(f *testing.F) {
	list := `{"success":true,"errors":[],"messages":[],"result":[{"id":"a","name":"assets.example.com","type":"CNAME","content":"p.example.net","ttl":60}],"result_info":{"page":1,"per_page":50,"count":1,"total_count":1,"total_pages":1}}`
	f.Add(200, "", list)
	f.Add(200, "", `{"success":false,"errors":[{"code":1,"message":"x","error_chain":[{"code":2,"message":"y"}]}]}`)
	f.Add(429, "0", `{"success":false,"errors":[{"code":971,"message":"slow down"}]}`)
	f.Add(503, "1e309", `<html>bad gateway</html>`)
	f.Add(200, "", `{"result":[{"id":"a","name":"assets.example.com","type":"CNAME","content":"p","ttl":"sixty"}]}`)
	f.Add(200, "", `{"result":null}`)
	f.Add(404, "Wed, 21 Oct 2015 07:28:00 GMT", `{"success":false,"errors":null}`)
	f.Add(200, "", strings.Repeat("[", 10000))

	var mu sync.Mutex
	var status int
	var retryAfter, body string
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		requests++
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	p, err := New(Options{APIURL: srv.URL + "/client/v4", ZoneID: "z", Token: token, Record: record, Type: "CNAME", MaxRetries: 1,
		sleep: func(context.Context, time.Duration) error { return nil }}) // retries cost no time here
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, code int, ra, b string) {
		if code < 200 || code > 599 || !validHeader(ra) {
			return
		}
		mu.Lock()
		status, retryAfter, body, requests = code, ra, b, 0
		mu.Unlock()
		snap, err := p.Read(context.Background())
		mu.Lock()
		n := requests
		mu.Unlock()
		if n > 2 { // one list, tried at most twice (MaxRetries 1)
			t.Fatalf("%d requests for one read", n)
		}
		if err != nil {
			if strings.Contains(err.Error(), token) {
				t.Fatalf("the error holds the token: %v", err)
			}
			return
		}
		if snap.Name != record || snap.Type != "CNAME" {
			t.Fatalf("accepted an answer for another record: %+v", snap)
		}
		if snap.HasState {
			if err := snap.State.Validate(); err != nil {
				t.Fatalf("accepted an invalid state %+v: %v", snap.State, err)
			}
		}
	})
}

// validHeader reports whether net/http will send v as a header value.
func validHeader(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
