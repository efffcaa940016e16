// Package probe checks an origin's canary object. Every kind of check has the
// same shape (Func); a failed check is data (Result with a Reason), never a Go
// error, so it can be logged, voted on and shown to a person.
//
// New picks the kind by URL scheme: http.go does a plain GET, s3.go a SigV4
// GetObject; judge.go holds the status, latency and content rules both share,
// and reason.go words their failures. checkurl.go is the one parser of check
// URLs (configuration validation uses it too) and redact.go the one place
// that decides what of a URL may be shown. History keeps the last few Results of a
// target for FAIL_AFTER / RECOVER_AFTER counting.
package probe

import (
	"context"
	"time"
)

// Result is the outcome of one check of one target.
type Result struct {
	Target  string        `json:"target"` // the check URL, credentials never included
	OK      bool          `json:"ok"`
	Status  int           `json:"status,omitempty"` // HTTP status, 0 when none was received
	Latency time.Duration `json:"latency_ns"`
	Reason  string        `json:"reason,omitempty"` // why it failed, empty when OK
	At      time.Time     `json:"at"`
	// SHA256, Size and ETag describe the body when one was read (a 2xx
	// answer), whether or not it passed the judge, so that the primary's
	// and the standby's copies can be compared (dnsfailover/parity).
	// SHA256 is "" when no body was read; ETag is the origin's, as sent.
	SHA256 string `json:"sha256,omitempty"`
	Size   int64  `json:"size,omitempty"`
	ETag   string `json:"etag,omitempty"`
}

// Func runs one check. It never returns an error: failures are Results.
type Func func(ctx context.Context) Result
