package peers

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

// Message kinds in the canonical string. A request is signed as its HTTP
// method; a reply as "reply", so a request's signature can never pass as a
// reply's or the other way round.
const (
	kindRequest = http.MethodPost
	kindReply   = "reply"
)

// maxVantage bounds the sender id a message may claim.
const maxVantage = 128

// envelope is the signed part of a message, carried in the headers.
type envelope struct {
	Vantage string
	// To is the vantage point the message is for: on a request the peer
	// asked, on a reply the asker. A request captured on its way to one
	// peer therefore cannot be replayed to any other: each keeps its own
	// nonce cache, and only the one it names accepts it.
	To        string
	Timestamp int64 // unix seconds
	Nonce     string
	Signature []byte
}

// canonical is the string that is signed: a version tag, then one field per
// line. No field can hold a newline (header values cannot, the body is
// hashed), so no two messages share a canonical string. v2 added the
// receiver (To); a v1 signature never verifies as v2.
func canonical(kind string, e envelope, body []byte) []byte {
	sum := sha256.Sum256(body)
	b := make([]byte, 0, 256)
	b = append(b, "switchyard-peers-v2\n"...)
	b = append(b, kind...)
	b = append(b, '\n')
	b = append(b, Path...)
	b = append(b, '\n')
	b = strconv.AppendInt(b, e.Timestamp, 10)
	b = append(b, '\n')
	b = append(b, e.Nonce...)
	b = append(b, '\n')
	b = append(b, e.Vantage...)
	b = append(b, '\n')
	b = append(b, e.To...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, sum[:])
	return b
}

func mac(key []byte, kind string, e envelope, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(canonical(kind, e, body))
	return m.Sum(nil)
}

// sign sets e.Signature and writes e into h.
func sign(h http.Header, key []byte, kind string, e envelope, body []byte) {
	e.Signature = mac(key, kind, e, body)
	h.Set(HeaderVantage, e.Vantage)
	h.Set(HeaderTo, e.To)
	h.Set(HeaderTimestamp, strconv.FormatInt(e.Timestamp, 10))
	h.Set(HeaderNonce, e.Nonce)
	h.Set(HeaderSignature, hex.EncodeToString(e.Signature))
}

// verify reports whether e's signature is right for body under one of keys,
// and returns that key, so a reply can be signed with the key its request
// used (a peer that is mid-rotation still answers in the caller's key).
func verify(keys [][]byte, kind string, e envelope, body []byte) ([]byte, bool) {
	for _, k := range keys {
		if hmac.Equal(mac(k, kind, e, body), e.Signature) {
			return k, true
		}
	}
	return nil, false
}

var (
	errUnsigned  = errors.New("missing signature headers")
	errMalformed = errors.New("malformed signature headers")
)

// readEnvelope reads the signed headers, errUnsigned when any is absent and
// errMalformed when any has the wrong form.
func readEnvelope(h http.Header) (envelope, error) {
	v, to, ts, nonce, sig := h.Get(HeaderVantage), h.Get(HeaderTo), h.Get(HeaderTimestamp), h.Get(HeaderNonce), h.Get(HeaderSignature)
	if v == "" || to == "" || ts == "" || nonce == "" || sig == "" {
		return envelope{}, errUnsigned
	}
	e := envelope{Vantage: v, To: to, Nonce: nonce}
	var err error
	if e.Timestamp, err = strconv.ParseInt(ts, 10, 64); err != nil {
		return envelope{}, errMalformed
	}
	if e.Signature, err = hex.DecodeString(sig); err != nil || len(e.Signature) != sha256.Size {
		return envelope{}, errMalformed
	}
	if len(v) > maxVantage || len(to) > maxVantage || !validNonce(nonce) {
		return envelope{}, errMalformed
	}
	return e, nil
}

// newNonce returns 16 random bytes as lower-case hex.
func newNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand.Read panics instead
	return hex.EncodeToString(b[:])
}

func validNonce(n string) bool {
	if len(n) != 32 {
		return false
	}
	for i := 0; i < len(n); i++ {
		if c := n[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// withinSkew reports whether the unix time ts is at most skew from now.
func withinSkew(now time.Time, ts int64, skew time.Duration) bool {
	d := now.Sub(time.Unix(ts, 0))
	return d <= skew && d >= -skew
}

// short cuts a peer-supplied string before it goes into a log or an error.
func short(s string) string {
	const limit = 64
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
