package peers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"sync"
	"time"
)

// HandlerOptions configure NewHandler.
type HandlerOptions struct {
	// Self is this vantage point's id: only requests addressed to it are
	// served (a request signed for another peer is refused, so a captured
	// one cannot be replayed across the fleet). Required.
	Self string
	// Secrets are the HMAC keys accepted on requests. The first is the
	// current one; more are accepted while a key is being rotated. None may
	// be empty.
	Secrets [][]byte
	// Skew is how far a request's timestamp may be from Now (DefaultSkew
	// when zero). Nonces are remembered for as long.
	Skew time.Duration
	// Observe takes a fresh observation of both origins. It must fill
	// Vantage with this vantage point's id and At with when it looked, and
	// should finish well within the callers' timeout.
	Observe func(ctx context.Context) Observation
	Log     *slog.Logger     // nil: discard
	Now     func() time.Time // nil: time.Now
	MaxBody int64            // largest request body (DefaultMaxBody when zero)
}

// Handler serves POST /observe to peers. Build it with NewHandler.
type Handler struct {
	self    string
	keys    [][]byte
	skew    time.Duration
	observe func(ctx context.Context) Observation
	log     *slog.Logger
	now     func() time.Time
	maxBody int64
	nonces  *replayCache

	mu       sync.Mutex
	rejected map[string]uint64
}

var _ http.Handler = (*Handler)(nil)

// Rejection reasons, as counted by Handler.Rejected and sent to the caller.
const (
	RejectNotFound     = "not_found"     // 404: a path other than /observe
	RejectMethod       = "method"        // 405: not POST
	RejectTooLarge     = "too_large"     // 413: body over MaxBody
	RejectUnsigned     = "unsigned"      // 401: a signature header is missing
	RejectMalformed    = "malformed"     // 401: a signature header has the wrong form
	RejectSkew         = "skew"          // 401: timestamp outside Skew
	RejectBadSignature = "bad_signature" // 401: signed with no accepted key, or tampered
	RejectWrongPeer    = "wrong_peer"    // 401: addressed to another vantage point
	RejectReplay       = "replay"        // 401: nonce already used
	RejectBusy         = "busy"          // 503: replay cache full
	RejectBadBody      = "bad_body"      // 400: signed body is not {"from": <sender>}
)

// rejectMessages are the human words sent with each reason.
var rejectMessages = map[string]string{
	RejectNotFound:     "only POST " + Path + " is served",
	RejectMethod:       "only POST is allowed",
	RejectTooLarge:     "request body too large",
	RejectUnsigned:     "request is not signed",
	RejectMalformed:    "signature headers are malformed",
	RejectSkew:         "request timestamp is outside the allowed clock skew; check both clocks",
	RejectBadSignature: "signature does not verify; check the shared secret",
	RejectWrongPeer:    "request is addressed to another vantage point; check the ids in SWITCHYARD_PEERS",
	RejectReplay:       "request was already answered",
	RejectBusy:         "too many recent requests",
	RejectBadBody:      "body must be {\"from\": <the signing vantage>}",
}

// NewHandler returns the /observe handler. It refuses options that would
// make it unsafe: no secret, an empty secret (anyone could sign), or no
// Observe function.
func NewHandler(opts HandlerOptions) (*Handler, error) {
	if opts.Self == "" {
		return nil, errors.New("peers: handler needs its own vantage id (Self)")
	}
	if len(opts.Secrets) == 0 {
		return nil, errors.New("peers: handler needs at least one secret")
	}
	for i, k := range opts.Secrets {
		if len(k) == 0 {
			return nil, fmt.Errorf("peers: handler secret %d of %d is empty", i+1, len(opts.Secrets))
		}
	}
	if opts.Observe == nil {
		return nil, errors.New("peers: handler needs an Observe function")
	}
	h := &Handler{
		self:     opts.Self,
		keys:     opts.Secrets,
		skew:     cmpOr(opts.Skew, DefaultSkew),
		observe:  opts.Observe,
		log:      opts.Log,
		now:      opts.Now,
		maxBody:  cmpOr(opts.MaxBody, DefaultMaxBody),
		rejected: make(map[string]uint64),
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	h.nonces = newReplayCache(maxNonces, h.skew)
	return h, nil
}

// cmpOr returns v, or def when v is not positive.
func cmpOr[T time.Duration | int64](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Rejected returns how many requests were refused, by reason (the Reject*
// constants), for metrics. The map is a copy.
func (h *Handler) Rejected() map[string]uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.rejected)
}

// observeRequest is the body of a request.
type observeRequest struct {
	From string `json:"from"`
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != Path {
		h.reject(w, r, http.StatusNotFound, RejectNotFound)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.reject(w, r, http.StatusMethodNotAllowed, RejectMethod)
		return
	}
	if r.ContentLength > h.maxBody {
		h.reject(w, r, http.StatusRequestEntityTooLarge, RejectTooLarge)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			h.reject(w, r, http.StatusRequestEntityTooLarge, RejectTooLarge)
			return
		}
		// A truncated body. The sender may have only half-closed and still
		// read: answer, or net/http would send an empty 200 (found by
		// test/faults TestHostilePeerInput).
		h.log.Debug("peers: reading observe request", "remote", r.RemoteAddr, "err", err)
		h.reject(w, r, http.StatusBadRequest, RejectBadBody)
		return
	}

	env, err := readEnvelope(r.Header)
	switch {
	case errors.Is(err, errUnsigned):
		h.reject(w, r, http.StatusUnauthorized, RejectUnsigned)
		return
	case err != nil:
		h.reject(w, r, http.StatusUnauthorized, RejectMalformed)
		return
	}
	now := h.now()
	if !withinSkew(now, env.Timestamp, h.skew) {
		h.reject(w, r, http.StatusUnauthorized, RejectSkew, "timestamp", env.Timestamp, "now", now.Unix())
		return
	}
	if env.To != h.self {
		h.reject(w, r, http.StatusUnauthorized, RejectWrongPeer, "to", short(env.To))
		return
	}
	key, ok := verify(h.keys, kindRequest, env, body)
	if !ok {
		h.reject(w, r, http.StatusUnauthorized, RejectBadSignature)
		return
	}
	// Only now, with the nonce authentic, is it worth remembering.
	switch h.nonces.add(env.Nonce, time.Unix(env.Timestamp, 0).Add(h.skew), now) {
	case replayed:
		h.reject(w, r, http.StatusUnauthorized, RejectReplay)
		return
	case full:
		h.reject(w, r, http.StatusServiceUnavailable, RejectBusy)
		return
	}
	var req observeRequest
	if err := json.Unmarshal(body, &req); err != nil || req.From != env.Vantage {
		h.reject(w, r, http.StatusBadRequest, RejectBadBody)
		return
	}

	obs := h.observe(withSender(r.Context(), env.Vantage))
	reply, err := json.Marshal(obs)
	if err != nil { // only a broken Observation (e.g. a year past 9999) gets here
		h.log.Error("peers: encoding observation", "err", err)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"error":"cannot encode observation","reason":"internal"}`)
		return
	}
	sign(w.Header(), key, kindReply, envelope{Vantage: obs.Vantage, To: env.Vantage, Timestamp: h.now().Unix(), Nonce: env.Nonce}, reply)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(reply)
	h.log.Debug("peers: served observation", "to", short(env.Vantage), "remote", r.RemoteAddr)
}

// errorReply is the body of every refusal.
type errorReply struct {
	Error  string `json:"error"`
	Reason string `json:"reason"`
}

// reject counts, logs and answers a refused request. The log line holds the
// claimed sender and the reason, never a key or the signature.
func (h *Handler) reject(w http.ResponseWriter, r *http.Request, status int, reason string, attrs ...any) {
	h.mu.Lock()
	h.rejected[reason]++
	h.mu.Unlock()

	attrs = append(attrs, "reason", reason, "status", status, "remote", r.RemoteAddr,
		"method", short(r.Method), "path", short(r.URL.Path), "vantage", short(r.Header.Get(HeaderVantage)))
	level := slog.LevelWarn
	if reason == RejectNotFound || reason == RejectMethod {
		level = slog.LevelDebug // scanners probing a public URL; not a peer
	}
	h.log.Log(r.Context(), level, "peers: rejected observe request", attrs...)

	body, _ := json.Marshal(errorReply{Error: rejectMessages[reason], Reason: reason})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
