package faults

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/peers"
)

// TestHostilePeerInput sends broken and hostile requests to a real
// /observe server: each must be refused with its documented status and a
// JSON reason, the server must keep serving, and no observation may be
// given away.
func TestHostilePeerInput(t *testing.T) {
	observed := 0
	h, err := peers.NewHandler(peers.HandlerOptions{
		Self:    "aws:us-east-1",
		Secrets: [][]byte{[]byte("hostile-test-key-0123456789abcdef0123")},
		Observe: func(context.Context) peers.Observation {
			observed++
			return peers.Observation{Vantage: "aws:us-east-1", At: time.Now()}
		},
		Log: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ReadHeaderTimeout = 2 * time.Second
	srv.Config.MaxHeaderBytes = 16 << 10
	srv.Start()
	defer srv.Close()

	signedLooking := map[string]string{
		peers.HeaderVantage: "gcp:europe-west1", peers.HeaderTo: "aws:us-east-1", peers.HeaderTimestamp: fmt.Sprint(time.Now().Unix()),
		peers.HeaderNonce: strings.Repeat("ab", 16), peers.HeaderSignature: strings.Repeat("00", 32),
	}
	tests := []struct {
		name    string
		method  string
		body    string
		headers map[string]string
		want    int
	}{
		{"oversized body", "POST", strings.Repeat("x", 1<<20), nil, http.StatusRequestEntityTooLarge},
		{"malformed JSON, unsigned", "POST", `{"from":`, nil, http.StatusUnauthorized},
		{"wrong content type", "POST", `<xml/>`, map[string]string{"Content-Type": "application/xml"}, http.StatusUnauthorized},
		{"forged signature", "POST", `{"from":"gcp:europe-west1"}`, signedLooking, http.StatusUnauthorized},
		{"non-numeric timestamp", "POST", `{}`, map[string]string{peers.HeaderVantage: "a:b", peers.HeaderTimestamp: "soon", peers.HeaderNonce: "n", peers.HeaderSignature: "s"}, http.StatusUnauthorized},
		{"huge headers", "POST", `{}`, map[string]string{"X-Junk": strings.Repeat("j", 64<<10)}, http.StatusRequestHeaderFieldsTooLarge},
		{"GET", "GET", "", nil, http.StatusMethodNotAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+peers.Path, strings.NewReader(tc.body))
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Fatalf("status %d (%s), want %d", res.StatusCode, body, tc.want)
			}
			if tc.want != http.StatusRequestHeaderFieldsTooLarge && !strings.Contains(string(body), `"reason"`) {
				t.Fatalf("body %q: want a JSON reason", body)
			}
		})
	}
	t.Run("truncated body", func(t *testing.T) {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"from\":", peers.Path)
		_ = conn.(*net.TCPConn).CloseWrite()
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err == nil {
			res.Body.Close()
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("a truncated request was answered %d, want 400", res.StatusCode)
			}
		} // no answer at all is fine: the sender is gone
	})
	// Still serving after all that.
	res, err := http.Post(srv.URL+peers.Path, "application/json", strings.NewReader(`{}`))
	if err != nil || res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after the hostile requests: %v %v, want a clean 401", res, err)
	}
	res.Body.Close()
	if observed != 0 {
		t.Fatalf("%d observations given to hostile requests", observed)
	}
	report(t, Row{Fault: "Hostile peer input", Injected: "oversized (1 MiB), truncated, malformed, wrong content type, forged signature, 64 KiB header, wrong method against a real server",
		Trials: len(tests) + 1, Held: "each refused with its status and a JSON reason (413/401/431/405/400), no observation given away, server kept serving; plus fuzzing (FuzzHandler)"})
}

// TestCapturedRequestCannotBeReplayed captures a real signed /observe
// request on its way to one vantage point (as anyone on the path could) and
// replays it to every other one of a fleet of real servers, and to the one
// it was for: each is refused, and no observation is given away.
func TestCapturedRequestCannotBeReplayed(t *testing.T) {
	key := []byte("replay-test-key-0123456789abcdef01234")
	ids := []string{"aws:us-west-2", "aws:eu-west-1", "gcp:europe-west1", "azure:westeurope"}
	observed := map[string]*atomic.Int32{}
	urls := map[string]string{}
	for _, id := range ids {
		n := &atomic.Int32{}
		observed[id] = n
		h, err := peers.NewHandler(peers.HandlerOptions{
			Self: id, Secrets: [][]byte{key},
			Observe: func(context.Context) peers.Observation {
				n.Add(1)
				return peers.Observation{Vantage: id, At: time.Now()}
			},
			Log: slog.New(slog.DiscardHandler),
		})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		urls[id] = srv.URL
	}

	// A recording hop in front of the first peer.
	var captured *http.Request
	var body []byte
	hop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		captured = r.Clone(context.Background())
		fwd, _ := http.NewRequest(r.Method, urls[ids[0]]+r.URL.Path, strings.NewReader(string(body)))
		fwd.Header = r.Header.Clone()
		res, err := http.DefaultClient.Do(fwd)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		_, _ = io.Copy(w, res.Body)
	}))
	t.Cleanup(hop.Close)
	c := &peers.Client{Self: "aws:us-east-1", Secret: key, Timeout: 5 * time.Second}
	if _, err := c.Observe(context.Background(), peers.Peer{ID: ids[0], URL: hop.URL}); err != nil {
		t.Fatalf("the genuine exchange: %v", err)
	}

	replay := func(id string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, urls[id]+peers.Path, strings.NewReader(string(body)))
		req.Header = captured.Header.Clone()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		reply, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(reply)
	}
	for _, id := range ids[1:] {
		if status, reply := replay(id); status != http.StatusUnauthorized || !strings.Contains(reply, peers.RejectWrongPeer) {
			t.Errorf("replayed to %s: HTTP %d %s, want 401 %s", id, status, reply, peers.RejectWrongPeer)
		}
	}
	if status, reply := replay(ids[0]); status != http.StatusUnauthorized || !strings.Contains(reply, peers.RejectReplay) {
		t.Errorf("replayed to %s, the peer it was for: HTTP %d %s, want 401 %s", ids[0], status, reply, peers.RejectReplay)
	}
	for _, id := range ids {
		want := int32(0)
		if id == ids[0] {
			want = 1
		}
		if got := observed[id].Load(); got != want {
			t.Errorf("%s made %d observations, want %d", id, got, want)
		}
	}
	report(t, Row{Fault: "Captured peer request replayed", Injected: "a real signed /observe request recorded on its way to one vantage point, replayed to each of the 3 others and to it",
		Trials: len(ids), Held: "refused by every other vantage point (401 wrong_peer: the signed string names the receiver) and by its own (401 replay); one observation made, for the genuine request"})
}
