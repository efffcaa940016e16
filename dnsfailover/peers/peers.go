// Package peers is the exchange between vantage points: one asks every peer,
// in parallel and with a short timeout, for a fresh observation of the
// primary and the standby (POST /observe).
//
// Requests and replies cross the internet, so both are signed with a shared
// HMAC-SHA256 key over a canonical string (see sign.go) that binds the
// method, the endpoint, a timestamp, a random nonce, the sender, the receiver
// and the body. The handler refuses stale and replayed requests and requests
// addressed to another vantage point; the client refuses a
// reply that is not signed, is stale, answers another request or comes from
// another vantage point. A peer that cannot give a trustworthy answer
// abstains: the caller must never count it as a down vote.
package peers

import (
	"context"
	"errors"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
)

// Path is the endpoint a Handler serves and a Client calls, relative to the
// peer's base URL. Mount a Handler at the root of its server, or behind
// http.StripPrefix: the signature covers this path, not the URL's.
const Path = "/observe"

// Header names of the signed envelope, the same on requests and replies.
const (
	HeaderVantage   = "X-Switchyard-Vantage"   // sender id, provider:region
	HeaderTo        = "X-Switchyard-To"        // receiver id: the peer asked, or on a reply the asker
	HeaderTimestamp = "X-Switchyard-Timestamp" // unix seconds when signed
	HeaderNonce     = "X-Switchyard-Nonce"     // 16 random bytes, hex; a reply repeats its request's
	HeaderSignature = "X-Switchyard-Signature" // hex HMAC-SHA256 of the canonical string
)

// Defaults used when an option is zero. They match config's PEER_TIMEOUT and
// CLOCK_SKEW defaults.
const (
	DefaultTimeout = 5 * time.Second
	DefaultSkew    = 30 * time.Second
	DefaultMaxBody = 4 << 10
)

// Observation is one vantage point's fresh look at both origins.
type Observation struct {
	Vantage string       `json:"vantage"` // provider:region of the observer
	At      time.Time    `json:"at"`
	Primary probe.Result `json:"primary"`
	Standby probe.Result `json:"standby"`
	// PrimaryClient and StandbyClient are the client-path checks (the
	// canary at the switched record's name through each target), nil when
	// the observer does not run them. A failing PrimaryClient has already
	// failed Primary.
	PrimaryClient *probe.Result `json:"primary_client,omitempty"`
	StandbyClient *probe.Result `json:"standby_client,omitempty"`
}

// Peer is another vantage point. URL is its base URL; requests go to
// URL+Path. config.Peer converts to it directly: peers.Peer(p).
type Peer struct{ ID, URL string }

// Errors a Client returns, wrapped with the peer id and the detail; test
// them with errors.Is. Every one of them means "this peer abstains".
var (
	ErrTimeout      = errors.New("no reply in time")
	ErrRejected     = errors.New("peer rejected the request")
	ErrBadReply     = errors.New("malformed reply")
	ErrBadSignature = errors.New("reply signature does not verify")
	ErrWrongNonce   = errors.New("reply answers another request")
	ErrSkew         = errors.New("outside the allowed clock skew")
	ErrWrongPeer    = errors.New("reply is from another vantage point")
)

type senderKey struct{}

// Sender returns the id of the vantage point whose correctly signed
// request is being served, from the context a Handler passes to Observe;
// "" elsewhere. A peer asks only when it suspects a switch, so its asking
// is itself news (dnsfailover/vantage uses it to leave a switch to one writer).
func Sender(ctx context.Context) string {
	id, _ := ctx.Value(senderKey{}).(string)
	return id
}

func withSender(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, senderKey{}, id)
}
