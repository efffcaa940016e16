package peers

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// signedRequest returns the headers and body c would send to p.
func signedRequest(t *testing.T, c *Client, p Peer) (http.Header, []byte) {
	t.Helper()
	req, _, err := c.newRequest(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	return req.Header, body
}

func TestExchange(t *testing.T) {
	clk := newClock(t0)
	p := startPeer(t, "gcp:europe-west1", clk, HandlerOptions{Secrets: [][]byte{keyNew}})
	c := newClient(keyNew, clk)

	obs, err := c.Observe(context.Background(), p.Peer)
	if err != nil {
		t.Fatalf("Observe: %v", err)
	}
	sameJSON(t, obs, observation("gcp:europe-west1", t0))
	if got := p.Handler.Rejected(); len(got) != 0 {
		t.Errorf("Rejected() = %v after a good exchange, want none", got)
	}
}

func TestHandlerRejects(t *testing.T) {
	big := `{"from":"aws:us-east-1","pad":"` + strings.Repeat("x", DefaultMaxBody) + `"}`
	for _, tc := range []struct {
		name   string
		method string
		path   string
		key    []byte        // signing key; keyNew when nil
		skew   time.Duration // client clock offset from the handler's
		edit   func(h http.Header, body []byte) (http.Header, []byte)
		status int
		reason string
	}{
		{name: "GET", method: http.MethodGet, status: 405, reason: RejectMethod},
		{name: "other path", path: "/status", status: 404, reason: RejectNotFound},
		{
			name: "unsigned",
			edit: func(http.Header, []byte) (http.Header, []byte) {
				return http.Header{}, []byte(`{"from":"aws:us-east-1"}`)
			},
			status: 401, reason: RejectUnsigned,
		},
		{
			name: "signature header missing",
			edit: func(h http.Header, b []byte) (http.Header, []byte) {
				h.Del(HeaderSignature)
				return h, b
			},
			status: 401, reason: RejectUnsigned,
		},
		{
			name: "malformed nonce",
			edit: func(h http.Header, b []byte) (http.Header, []byte) {
				h.Set(HeaderNonce, "not-hex")
				return h, b
			},
			status: 401, reason: RejectMalformed,
		},
		{
			name: "malformed timestamp",
			edit: func(h http.Header, b []byte) (http.Header, []byte) {
				h.Set(HeaderTimestamp, "yesterday")
				return h, b
			},
			status: 401, reason: RejectMalformed,
		},
		{name: "wrong secret", key: keyWrong, status: 401, reason: RejectBadSignature},
		{
			name: "tampered body",
			edit: func(h http.Header, b []byte) (http.Header, []byte) {
				return h, []byte(strings.Replace(string(b), "aws:us-east-1", "aws:us-east-2", 1))
			},
			status: 401, reason: RejectBadSignature,
		},
		{
			name: "tampered sender",
			edit: func(h http.Header, b []byte) (http.Header, []byte) {
				h.Set(HeaderVantage, "aws:us-east-2")
				return h, b
			},
			status: 401, reason: RejectBadSignature,
		},
		{
			name: "tampered nonce",
			edit: func(h http.Header, b []byte) (http.Header, []byte) {
				h.Set(HeaderNonce, strings.Repeat("0", 32))
				return h, b
			},
			status: 401, reason: RejectBadSignature,
		},
		{
			name: "receiver header missing",
			edit: func(h http.Header, b []byte) (http.Header, []byte) {
				h.Del(HeaderTo)
				return h, b
			},
			status: 401, reason: RejectUnsigned,
		},
		{
			name: "tampered receiver",
			edit: func(h http.Header, b []byte) (http.Header, []byte) {
				h.Set(HeaderTo, "gcp:europe-west2")
				return h, b
			},
			status: 401, reason: RejectWrongPeer,
		},
		{
			name: "signed for another peer",
			edit: func(h http.Header, b []byte) (http.Header, []byte) {
				env, _ := readEnvelope(h)
				env.To = "azure:westeurope"
				sign(h, keyNew, kindRequest, env, b)
				return h, b
			},
			status: 401, reason: RejectWrongPeer,
		},
		{
			name: "receiver header rewritten to this peer",
			edit: func(h http.Header, b []byte) (http.Header, []byte) {
				env, _ := readEnvelope(h)
				env.To = "azure:westeurope"
				sign(h, keyNew, kindRequest, env, b)
				h.Set(HeaderTo, "gcp:europe-west1")
				return h, b
			},
			status: 401, reason: RejectBadSignature,
		},
		{name: "old timestamp", skew: -31 * time.Second, status: 401, reason: RejectSkew},
		{name: "future timestamp", skew: 31 * time.Second, status: 401, reason: RejectSkew},
		{
			name:   "oversized body",
			edit:   func(h http.Header, _ []byte) (http.Header, []byte) { return h, []byte(big) },
			status: 413, reason: RejectTooLarge,
		},
		{
			name: "body from another sender",
			edit: func(h http.Header, _ []byte) (http.Header, []byte) {
				body := []byte(`{"from":"aws:us-east-2"}`)
				env, _ := readEnvelope(h)
				sign(h, keyNew, kindRequest, env, body)
				return h, body
			},
			status: 400, reason: RejectBadBody,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock(t0)
			p := startPeer(t, "gcp:europe-west1", clk, HandlerOptions{Secrets: [][]byte{keyNew}})
			key := tc.key
			if key == nil {
				key = keyNew
			}
			c := newClient(key, newClock(t0.Add(tc.skew)))
			h, body := signedRequest(t, c, p.Peer)
			if tc.edit != nil {
				h, body = tc.edit(h, body)
			}
			method, path := cmpStr(tc.method, http.MethodPost), cmpStr(tc.path, Path)

			status, refusal := send(t, p.Peer.URL+path, method, h, body)
			if status != tc.status || refusal.Reason != tc.reason || refusal.Error == "" {
				t.Fatalf("got HTTP %d %+v, want %d reason %q", status, refusal, tc.status, tc.reason)
			}
			if got := p.Handler.Rejected(); len(got) != 1 || got[tc.reason] != 1 {
				t.Errorf("Rejected() = %v, want {%s:1}", got, tc.reason)
			}
			logs := p.Logs.String()
			if !strings.Contains(logs, `"reason":"`+tc.reason+`"`) {
				t.Errorf("no log line with the reason: %s", logs)
			}
			assertNoSecrets(t, logs, h.Get(HeaderSignature))
		})
	}
}

func cmpStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// assertNoSecrets fails if text holds any test key or the signature sig.
func assertNoSecrets(t *testing.T, text, sig string) {
	t.Helper()
	for _, k := range [][]byte{keyOld, keyNew, keyWrong} {
		if strings.Contains(text, string(k)) || strings.Contains(text, hex.EncodeToString(k)) {
			t.Errorf("a secret leaked into: %s", text)
		}
	}
	if sig != "" && strings.Contains(text, sig) {
		t.Errorf("the signature leaked into: %s", text)
	}
}

func TestOversizedChunkedBody(t *testing.T) {
	clk := newClock(t0)
	p := startPeer(t, "gcp:europe-west1", clk, HandlerOptions{Secrets: [][]byte{keyNew}, MaxBody: 64})
	h, _ := signedRequest(t, newClient(keyNew, clk), p.Peer)

	// No Content-Length: the limit must hold while reading.
	req, err := http.NewRequest(http.MethodPost, p.Peer.URL+Path, io.MultiReader(strings.NewReader(strings.Repeat("x", 65))))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if req.ContentLength != 0 || resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked oversized body: HTTP %d (content length %d), want 413", resp.StatusCode, req.ContentLength)
	}
}

func TestReplayedRequest(t *testing.T) {
	clk := newClock(t0)
	p := startPeer(t, "gcp:europe-west1", clk, HandlerOptions{Secrets: [][]byte{keyNew}, Skew: 30 * time.Second})
	h, body := signedRequest(t, newClient(keyNew, clk), p.Peer)

	steps := []struct {
		name   string
		at     time.Time
		status int
		reason string
	}{
		{"first", t0, 200, ""},
		{"same request again", t0, 401, RejectReplay},
		{"again at the edge of the window", t0.Add(30 * time.Second), 401, RejectReplay},
		{"again after the window", t0.Add(31 * time.Second), 401, RejectSkew},
	}
	for _, s := range steps {
		clk.Set(s.at)
		status, refusal := send(t, p.Peer.URL+Path, http.MethodPost, h, body)
		if status != s.status || refusal.Reason != s.reason {
			t.Fatalf("%s: HTTP %d %q, want %d %q", s.name, status, refusal.Reason, s.status, s.reason)
		}
	}
	want := map[string]uint64{RejectReplay: 2, RejectSkew: 1}
	sameJSON(t, p.Handler.Rejected(), want)
}

// TestRequestIsBoundToItsReceiver: a request captured on its way to one
// peer is refused by every other, whichever accepted key signed it, and
// the peer it names still refuses it a second time.
func TestRequestIsBoundToItsReceiver(t *testing.T) {
	clk := newClock(t0)
	// Mid-rotation: both peers accept the new and the old key.
	a := startPeer(t, "gcp:europe-west1", clk, HandlerOptions{Secrets: [][]byte{keyNew, keyOld}})
	b := startPeer(t, "azure:westeurope", clk, HandlerOptions{Secrets: [][]byte{keyNew, keyOld}})
	for _, key := range [][]byte{keyNew, keyOld} {
		h, body := signedRequest(t, newClient(key, clk), a.Peer)
		if status, refusal := send(t, b.Peer.URL+Path, http.MethodPost, h, body); status != 401 || refusal.Reason != RejectWrongPeer {
			t.Fatalf("request for %s replayed to %s: HTTP %d %q, want 401 %s", a.Peer.ID, b.Peer.ID, status, refusal.Reason, RejectWrongPeer)
		}
		if status, refusal := send(t, a.Peer.URL+Path, http.MethodPost, h, body); status != 200 {
			t.Fatalf("request to the peer it names: HTTP %d %q, want 200", status, refusal.Reason)
		}
		if status, refusal := send(t, a.Peer.URL+Path, http.MethodPost, h, body); status != 401 || refusal.Reason != RejectReplay {
			t.Fatalf("the same request again: HTTP %d %q, want 401 %s", status, refusal.Reason, RejectReplay)
		}
	}
	sameJSON(t, b.Handler.Rejected(), map[string]uint64{RejectWrongPeer: 2})
}

func TestKeyRotation(t *testing.T) {
	clk := newClock(t0)
	// The peer has moved to the new key and still accepts the old one.
	p := startPeer(t, "gcp:europe-west1", clk, HandlerOptions{Secrets: [][]byte{keyNew, keyOld}})
	for _, tc := range []struct {
		name string
		key  []byte
		want error
	}{
		{"caller on the new key", keyNew, nil},
		{"caller still on the old key", keyOld, nil},
		{"caller on neither", keyWrong, ErrRejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newClient(tc.key, clk).Observe(context.Background(), p.Peer)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Observe: %v, want %v", err, tc.want)
			}
		})
	}
}

func TestNewHandlerRefuses(t *testing.T) {
	observe := func(context.Context) Observation { return Observation{} }
	for _, tc := range []struct {
		name string
		opts HandlerOptions
		want string
	}{
		{"no own id", HandlerOptions{Secrets: [][]byte{keyNew}, Observe: observe}, "peers: handler needs its own vantage id (Self)"},
		{"no secret", HandlerOptions{Self: "a:b", Observe: observe}, "peers: handler needs at least one secret"},
		{"empty secret", HandlerOptions{Self: "a:b", Secrets: [][]byte{keyNew, {}}, Observe: observe}, "peers: handler secret 2 of 2 is empty"},
		{"no observe", HandlerOptions{Self: "a:b", Secrets: [][]byte{keyNew}}, "peers: handler needs an Observe function"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := NewHandler(tc.opts)
			if h != nil || err == nil || err.Error() != tc.want {
				t.Fatalf("NewHandler = %v, %v; want error %q", h, err, tc.want)
			}
		})
	}
}
