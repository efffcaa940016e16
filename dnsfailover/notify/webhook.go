package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// SignatureHeader carries the webhook's signature.
const SignatureHeader = "Switchyard-Signature"

// Webhook posts the Event as JSON, signed the way payment providers sign
// theirs: "Switchyard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<body>">". The receiver recomputes the HMAC with the shared key,
// compares in constant time and rejects an old t (a replayed request);
// README.md has a verification snippet.
type Webhook struct {
	URL  string
	Key  []byte
	HTTP *http.Client
	Now  func() time.Time
}

var _ Sink = (*Webhook)(nil)

func (w *Webhook) Name() string { return "webhook" }

// Sign returns the header value for body signed at t.
func Sign(key []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return fmt.Sprintf("t=%s,v1=%s", ts, hex.EncodeToString(m.Sum(nil)))
}

// Send posts e; each attempt is signed afresh, so a retried delivery
// carries a current t.
func (w *Webhook) Send(ctx context.Context, e Event) error {
	body, err := json.Marshal(e)
	if err != nil {
		return &PermanentError{err}
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	h := http.Header{}
	h.Set(SignatureHeader, Sign(w.Key, now(), body))
	return post(ctx, w.HTTP, "webhook", w.URL, body, h)
}
