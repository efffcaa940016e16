package peers

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// forgedPeer serves replies built by reply from the (unverified) request
// envelope, for replies a real Handler would never send.
func forgedPeer(t *testing.T, id string, reply func(req envelope) (key []byte, env envelope, body []byte)) Peer {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := readEnvelope(r.Header)
		if err != nil {
			t.Errorf("forged peer got a bad request: %v", err)
		}
		key, env, body := reply(req)
		sign(w.Header(), key, kindReply, env, body)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return Peer{ID: id, URL: srv.URL}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func TestClientRejectsReply(t *testing.T) {
	const id = "gcp:europe-west1"
	good := mustJSON(observation(id, t0))
	for _, tc := range []struct {
		name  string
		peer  func(t *testing.T, clk *clock) Peer
		want  error
		words string // what the message must say
	}{
		{
			name: "reply signed with the wrong key",
			peer: func(t *testing.T, _ *clock) Peer {
				return forgedPeer(t, id, func(req envelope) ([]byte, envelope, []byte) {
					return keyWrong, envelope{Vantage: id, To: req.Vantage, Timestamp: t0.Unix(), Nonce: req.Nonce}, good
				})
			},
			want: ErrBadSignature, words: "peers: observe gcp:europe-west1: reply signature does not verify",
		},
		{
			name: "reply bound to another nonce",
			peer: func(t *testing.T, _ *clock) Peer {
				return forgedPeer(t, id, func(req envelope) ([]byte, envelope, []byte) {
					return keyNew, envelope{Vantage: id, To: req.Vantage, Timestamp: t0.Unix(), Nonce: newNonce()}, good
				})
			},
			want: ErrWrongNonce, words: "peers: observe gcp:europe-west1: reply answers another request",
		},
		{
			name: "reply addressed to another asker",
			peer: func(t *testing.T, _ *clock) Peer {
				return forgedPeer(t, id, func(req envelope) ([]byte, envelope, []byte) {
					return keyNew, envelope{Vantage: id, To: "aws:eu-west-1", Timestamp: t0.Unix(), Nonce: req.Nonce}, good
				})
			},
			want: ErrWrongNonce, words: "peers: observe gcp:europe-west1: reply answers another request",
		},
		{
			name: "reply timestamp too old",
			peer: func(t *testing.T, _ *clock) Peer {
				return forgedPeer(t, id, func(req envelope) ([]byte, envelope, []byte) {
					return keyNew, envelope{Vantage: id, To: req.Vantage, Timestamp: t0.Unix() - 31, Nonce: req.Nonce}, good
				})
			},
			want:  ErrSkew,
			words: "peers: observe gcp:europe-west1: reply timestamp 2026-11-25T16:59:29Z is outside the allowed clock skew 30s of now 2026-11-25T17:00:00Z",
		},
		{
			name: "observation from another vantage than the signer",
			peer: func(t *testing.T, _ *clock) Peer {
				return forgedPeer(t, id, func(req envelope) ([]byte, envelope, []byte) {
					return keyNew, envelope{Vantage: id, To: req.Vantage, Timestamp: t0.Unix(), Nonce: req.Nonce}, mustJSON(observation("aws:eu-west-1", t0))
				})
			},
			want: ErrWrongPeer, words: `peers: observe gcp:europe-west1: reply is from another vantage point: observation is from "aws:eu-west-1"`,
		},
		{
			name: "reply that is not an observation",
			peer: func(t *testing.T, _ *clock) Peer {
				return forgedPeer(t, id, func(req envelope) ([]byte, envelope, []byte) {
					return keyNew, envelope{Vantage: id, To: req.Vantage, Timestamp: t0.Unix(), Nonce: req.Nonce}, []byte(`[1,2]`)
				})
			},
			want: ErrBadReply, words: "peers: observe gcp:europe-west1: malformed reply: decoding observation",
		},
		{
			name: "URL of another vantage: it refuses a request not addressed to it",
			peer: func(t *testing.T, clk *clock) Peer {
				p := startPeer(t, "gcp:us-central1", clk, HandlerOptions{Secrets: [][]byte{keyNew}})
				return Peer{ID: id, URL: p.Peer.URL}
			},
			want: ErrRejected, words: `peers: observe gcp:europe-west1: peer rejected the request: HTTP 401 wrong_peer`,
		},
		{
			name: "reply signed as another vantage",
			peer: func(t *testing.T, _ *clock) Peer {
				return forgedPeer(t, id, func(req envelope) ([]byte, envelope, []byte) {
					return keyNew, envelope{Vantage: "gcp:us-central1", To: req.Vantage, Timestamp: t0.Unix(), Nonce: req.Nonce}, good
				})
			},
			want: ErrWrongPeer, words: `peers: observe gcp:europe-west1: reply is from another vantage point: signed as "gcp:us-central1"`,
		},
		{
			name: "stale observation",
			peer: func(t *testing.T, clk *clock) Peer {
				return startPeer(t, id, clk, HandlerOptions{
					Secrets: [][]byte{keyNew},
					Observe: func(context.Context) Observation { return observation(id, t0.Add(-time.Hour)) },
				}).Peer
			},
			want:  ErrSkew,
			words: "peers: observe gcp:europe-west1: observation made at 2026-11-25T16:00:00Z is outside the allowed clock skew 30s of now 2026-11-25T17:00:00Z",
		},
		{
			name: "unsigned reply",
			peer: func(t *testing.T, _ *clock) Peer {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(good) }))
				t.Cleanup(srv.Close)
				return Peer{ID: id, URL: srv.URL}
			},
			want: ErrBadReply, words: "peers: observe gcp:europe-west1: malformed reply: missing signature headers",
		},
		{
			name: "redirect is not followed",
			peer: func(t *testing.T, clk *clock) Peer {
				real := startPeer(t, id, clk, HandlerOptions{Secrets: [][]byte{keyNew}})
				srv := httptest.NewServer(http.RedirectHandler(real.Peer.URL+Path, http.StatusTemporaryRedirect))
				t.Cleanup(srv.Close)
				return Peer{ID: id, URL: srv.URL}
			},
			want: ErrRejected, words: "peers: observe gcp:europe-west1: peer rejected the request: HTTP 307",
		},
		{
			name: "peer rejects with a reason",
			peer: func(t *testing.T, clk *clock) Peer {
				return startPeer(t, id, clk, HandlerOptions{Secrets: [][]byte{keyOld}}).Peer
			},
			want:  ErrRejected,
			words: `peers: observe gcp:europe-west1: peer rejected the request: HTTP 401 bad_signature: "signature does not verify; check the shared secret"`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock(t0)
			logs := &logBuffer{}
			c := newClient(keyNew, clk)
			c.Log = logs.logger()
			_, err := c.Observe(context.Background(), tc.peer(t, clk))
			if !errors.Is(err, tc.want) || !strings.HasPrefix(err.Error(), tc.words) {
				t.Fatalf("Observe error:\n got %v\nwant %v, starting %q", err, tc.want, tc.words)
			}
			if !strings.Contains(logs.String(), "peer abstains") {
				t.Errorf("no abstention logged: %s", logs)
			}
			assertNoSecrets(t, err.Error()+logs.String(), "")
		})
	}
}

// A reply recorded on the wire and played back to a later request must not
// pass: it is bound to the first request's nonce.
func TestReplayedReply(t *testing.T) {
	const id = "gcp:europe-west1"
	clk := newClock(t0)
	real := startPeer(t, id, clk, HandlerOptions{Secrets: [][]byte{keyNew}})

	var (
		mu       sync.Mutex
		recorded *httptest.ResponseRecorder
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if recorded == nil {
			recorded = httptest.NewRecorder()
			real.Handler.ServeHTTP(recorded, r)
		}
		for k, v := range recorded.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(recorded.Code)
		_, _ = w.Write(recorded.Body.Bytes())
	}))
	t.Cleanup(srv.Close)

	c := newClient(keyNew, clk)
	p := Peer{ID: id, URL: srv.URL}
	if _, err := c.Observe(context.Background(), p); err != nil {
		t.Fatalf("first Observe: %v", err)
	}
	if _, err := c.Observe(context.Background(), p); !errors.Is(err, ErrWrongNonce) {
		t.Fatalf("Observe with a replayed reply: %v, want %v", err, ErrWrongNonce)
	}
}

func TestObserveAll(t *testing.T) {
	clk := newClock(t0)
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	a := startPeer(t, "gcp:europe-west1", clk, HandlerOptions{Secrets: [][]byte{keyNew}})
	// A peer that hangs, ignoring cancellation, until the test ends. Its
	// server closes after release (cleanups run last-registered first).
	hung := startPeer(t, "azure:westeurope", clk, HandlerOptions{
		Secrets: [][]byte{keyNew},
		Observe: func(context.Context) Observation {
			entered <- struct{}{}
			<-release
			return Observation{}
		},
	})
	t.Cleanup(func() { close(release) })
	b := startPeer(t, "aws:eu-west-1", clk, HandlerOptions{Secrets: [][]byte{keyNew}})
	down := Peer{ID: "aws:ap-south-1", URL: closedURL(t)}

	c := newClient(keyNew, clk)
	c.Timeout = 300 * time.Millisecond
	peers := []Peer{a.Peer, hung.Peer, down, b.Peer}

	start := time.Now()
	replies := c.ObserveAll(context.Background(), peers)
	elapsed := time.Since(start)

	if elapsed > c.Timeout+time.Second {
		t.Errorf("ObserveAll took %s with a %s timeout", elapsed, c.Timeout)
	}
	select {
	case <-entered:
	default:
		t.Error("the hanging peer was never asked")
	}
	if len(replies) != len(peers) {
		t.Fatalf("%d replies for %d peers", len(replies), len(peers))
	}
	for i, r := range replies {
		if r.Peer != peers[i] {
			t.Errorf("reply %d is for %s, want %s", i, r.Peer.ID, peers[i].ID)
		}
	}
	for _, i := range []int{0, 3} {
		if replies[i].Err != nil {
			t.Errorf("%s: %v", peers[i].ID, replies[i].Err)
		} else {
			sameJSON(t, replies[i].Obs, observation(peers[i].ID, t0))
		}
	}
	if err := replies[1].Err; !errors.Is(err, ErrTimeout) || err.Error() != "peers: observe azure:westeurope: no reply in time (300ms)" {
		t.Errorf("hanging peer: %v, want a timeout", err)
	}
	if err := replies[2].Err; err == nil || errors.Is(err, ErrTimeout) || !strings.HasPrefix(err.Error(), "peers: observe aws:ap-south-1: request: ") {
		t.Errorf("unreachable peer: %v, want a connection error", err)
	}
}

// closedURL is the URL of a port that nothing listens on any more.
func closedURL(t *testing.T) string {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	return url
}

func TestClientNeedsIdentity(t *testing.T) {
	c := &Client{Self: "aws:us-east-1"}
	_, err := c.Observe(context.Background(), Peer{ID: "gcp:europe-west1", URL: "http://127.0.0.1:1"})
	if err == nil || err.Error() != "peers: observe gcp:europe-west1: client needs Self and a non-empty Secret" {
		t.Fatalf("Observe without a secret: %v", err)
	}
}
