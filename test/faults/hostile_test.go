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
		peers.HeaderVantage: "gcp:europe-west1", peers.HeaderTimestamp: fmt.Sprint(time.Now().Unix()),
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
