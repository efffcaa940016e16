package probe

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// DefaultTimeout bounds a check whose Spec.Timeout is zero, so that no check
// can hang even when the caller's context has no deadline.
const DefaultTimeout = 10 * time.Second

// MaxBody is the most of a canary body a check reads. A canary is meant to be
// small; a larger body fails the check instead of filling memory.
const MaxBody = 16 << 20

// userAgent names switchyard in origin access logs, so an operator can tell
// probe traffic from users.
const userAgent = "switchyard-probe"

// Spec describes one check: where the canary is and how to judge it.
type Spec struct {
	// URL is the canary: https://host/key, http://host/key, or
	// s3://bucket/key?endpoint=URL&region=R for a SigV4 GetObject
	// (endpoint: an S3-compatible service, addressed path-style; region:
	// default us-east-1), as ParseCheckURL reads it.
	URL string
	// SHA256 is the expected hex SHA-256 of the body; "" = not checked.
	SHA256 string
	// Contains is a substring the body must contain; "" = not checked.
	Contains string
	// LatencyBudget fails a check whose full body took longer; 0 = not checked.
	LatencyBudget time.Duration
	// Timeout is the hard limit of one check; 0 = DefaultTimeout.
	Timeout time.Duration
	// AccessKeyID and SecretAccessKey sign s3:// checks; both empty = the
	// default AWS credential chain.
	AccessKeyID, SecretAccessKey string
	// HTTPClient carries every request of both kinds (the local world injects
	// faults through its Transport). nil = a client that verifies TLS and
	// opens a fresh connection per check.
	HTTPClient *http.Client
	// Now is the clock for Result.At and Latency; nil = time.Now.
	Now func() time.Time
}

// String shows spec without its secret key or URL secrets, so a Spec that
// ends up in a log line or test failure leaks nothing.
func (s Spec) String() string {
	type plain Spec // no String method: no recursion
	if s.SecretAccessKey != "" {
		s.SecretAccessKey = "REDACTED"
	}
	if u, err := url.Parse(s.URL); err == nil {
		s.URL = RedactURL(u)
	} else if s.URL != "" {
		s.URL = "(invalid URL)"
	}
	return fmt.Sprintf("%+v", plain(s))
}

// New checks spec and returns the check its URL scheme asks for. The error
// is only for a bad Spec and names the field at fault; failures of the target
// itself are reported by the returned Func as Results.
func New(spec Spec) (Func, error) {
	c, err := ParseCheckURL(spec.URL)
	if err != nil {
		return nil, fmt.Errorf("probe: URL: %w", err)
	}
	j, err := newJudge(spec)
	if err != nil {
		return nil, err
	}
	if spec, err = spec.withDefaults(); err != nil {
		return nil, err
	}
	if spec.HTTPClient == nil {
		spec.HTTPClient = defaultClient()
	}
	if c.Kind == KindS3 {
		return newS3(spec, c, j)
	}
	return newHTTP(spec, c.URL, j), nil
}

// defaultClient verifies TLS (Go's default) and turns keep-alives off, so
// every check dials, handshakes and measures the origin the way a new
// visitor would, instead of riding a connection that may outlive the origin.
func defaultClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableKeepAlives = true
	return &http.Client{Transport: t}
}

// parseSHA256 accepts the hex digest in either case and returns it lower-case.
func parseSHA256(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return "", fmt.Errorf("probe: SHA256 %q is not a SHA-256 digest, want 64 hex digits", s)
	}
	return hex.EncodeToString(b), nil
}

// withDefaults checks Timeout and fills in the defaults every kind of
// check shares (New and NewClientPath).
func (s Spec) withDefaults() (Spec, error) {
	if s.Timeout < 0 {
		return s, fmt.Errorf("probe: Timeout %s is negative, want a positive duration or 0 for the default %s", s.Timeout, DefaultTimeout)
	}
	if s.Timeout == 0 {
		s.Timeout = DefaultTimeout
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	return s, nil
}
