package peers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// maxReply bounds a reply body; an Observation is well under 2 KiB.
const maxReply = 64 << 10

// Client asks peers for observations. The zero values of HTTP, Timeout,
// Skew, Log and Now mean: a client that does not follow redirects,
// DefaultTimeout, DefaultSkew, discard, time.Now. Do not print a Client: it
// holds the secret.
type Client struct {
	Self    string // this vantage point's id, sent as the sender
	Secret  []byte // the current HMAC key; replies must be signed with it
	HTTP    *http.Client
	Timeout time.Duration // per peer, the whole exchange
	Skew    time.Duration // how far reply timestamps and Obs.At may be from Now
	Log     *slog.Logger
	Now     func() time.Time
}

// Reply is one peer's answer to ObserveAll. When Err is set the peer
// abstains; Obs is then zero.
type Reply struct {
	Peer Peer
	Obs  Observation
	Err  error
}

// ObserveAll asks every peer at once and returns their replies in the order
// of peers. Each exchange is bounded by Timeout, so ObserveAll returns
// within about Timeout however the peers behave.
func (c *Client) ObserveAll(ctx context.Context, peers []Peer) []Reply {
	replies := make([]Reply, len(peers))
	var wg sync.WaitGroup
	for i, p := range peers {
		wg.Go(func() {
			obs, err := c.Observe(ctx, p)
			replies[i] = Reply{Peer: p, Obs: obs, Err: err}
		})
	}
	wg.Wait()
	return replies
}

// Observe asks p for a fresh observation and accepts it only when the reply
// is signed with Secret, is bound to this request's nonce, is timestamped
// within Skew, comes from p.ID and holds an observation made within Skew.
// Any other outcome is an error naming the peer (wrapping one of the Err*
// values), and the caller must treat the peer as abstaining.
func (c *Client) Observe(ctx context.Context, p Peer) (Observation, error) {
	obs, err := c.observe(ctx, p)
	if err != nil {
		err = fmt.Errorf("peers: observe %s: %w", p.ID, err)
		c.logger().Warn("peers: peer abstains", "peer", p.ID, "err", err)
		return Observation{}, err
	}
	return obs, nil
}

func (c *Client) observe(ctx context.Context, p Peer) (Observation, error) {
	if c.Self == "" || len(c.Secret) == 0 {
		return Observation{}, errors.New("client needs Self and a non-empty Secret")
	}
	timeout := cmpOr(c.Timeout, DefaultTimeout)
	skew := cmpOr(c.Skew, DefaultSkew)
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	req, nonce, err := c.newRequest(tctx, p)
	if err != nil {
		return Observation{}, err
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return Observation{}, c.transportError(ctx, tctx, timeout, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply+1))
	switch {
	case err != nil:
		return Observation{}, c.transportError(ctx, tctx, timeout, err)
	case len(body) > maxReply:
		return Observation{}, fmt.Errorf("%w: body larger than %d bytes", ErrBadReply, maxReply)
	case resp.StatusCode != http.StatusOK:
		return Observation{}, rejection(resp.StatusCode, body)
	}

	env, err := readEnvelope(resp.Header)
	if err != nil {
		return Observation{}, fmt.Errorf("%w: %v", ErrBadReply, err)
	}
	if _, ok := verify([][]byte{c.Secret}, kindReply, env, body); !ok {
		return Observation{}, ErrBadSignature
	}
	// The signature makes the rest of the envelope authentic; check that it
	// answers this request, now, from the peer asked.
	now := c.now()
	switch {
	case env.Nonce != nonce, env.To != c.Self:
		return Observation{}, ErrWrongNonce
	case !withinSkew(now, env.Timestamp, skew):
		return Observation{}, fmt.Errorf("reply timestamp %s is %w %s of now %s",
			time.Unix(env.Timestamp, 0).UTC().Format(time.RFC3339), ErrSkew, skew, now.UTC().Format(time.RFC3339))
	case env.Vantage != p.ID:
		return Observation{}, fmt.Errorf("%w: signed as %q", ErrWrongPeer, short(env.Vantage))
	}
	var obs Observation
	if err := json.Unmarshal(body, &obs); err != nil {
		return Observation{}, fmt.Errorf("%w: decoding observation: %v", ErrBadReply, err)
	}
	switch {
	case obs.Vantage != p.ID:
		return Observation{}, fmt.Errorf("%w: observation is from %q", ErrWrongPeer, short(obs.Vantage))
	case !withinSkew(now, obs.At.Unix(), skew):
		return Observation{}, fmt.Errorf("observation made at %s is %w %s of now %s",
			obs.At.UTC().Format(time.RFC3339), ErrSkew, skew, now.UTC().Format(time.RFC3339))
	}
	return obs, nil
}

// newRequest builds a signed POST to p's URL+Path, addressed to p.ID, and
// returns it with its nonce.
func (c *Client) newRequest(ctx context.Context, p Peer) (*http.Request, string, error) {
	base := p.URL
	body, err := json.Marshal(observeRequest{From: c.Self})
	if err != nil {
		return nil, "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+Path, bytes.NewReader(body))
	if err != nil {
		return nil, "", fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	env := envelope{Vantage: c.Self, To: p.ID, Timestamp: c.now().Unix(), Nonce: newNonce()}
	sign(req.Header, c.Secret, kindRequest, env, body)
	return req, env.Nonce, nil
}

// transportError says whether the exchange ran out of its own time (the
// peer is slow or unreachable) or failed otherwise.
func (c *Client) transportError(parent, tctx context.Context, timeout time.Duration, err error) error {
	if tctx.Err() != nil && parent.Err() == nil {
		return fmt.Errorf("%w (%s)", ErrTimeout, timeout)
	}
	return fmt.Errorf("request: %w", err)
}

// rejection turns a non-200 reply into an error carrying the peer's reason.
func rejection(status int, body []byte) error {
	var e errorReply
	if json.Unmarshal(body, &e) != nil || e.Reason == "" {
		return fmt.Errorf("%w: HTTP %d", ErrRejected, status)
	}
	return fmt.Errorf("%w: HTTP %d %s: %q", ErrRejected, status, short(e.Reason), short(e.Error))
}

// httpClient never follows redirects, whatever client it was given: a
// redirect would carry the signed request to a server the operator did not
// configure (and the signature does not name its target). The 3xx is
// reported instead.
func (c *Client) httpClient() *http.Client {
	var hc http.Client
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) logger() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.New(slog.DiscardHandler)
}
