package probe

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// fetcher gets the canary once: the status received (0 when none), the
// whole body and the ETag header ("" when none). A non-nil error is a
// failure that explain turns into words.
type fetcher func(ctx context.Context) (status int, body []byte, etag string, err error)

// judge holds what a good answer looks like; every kind of check shares it
// so an HTTP and an S3 canary are held to the same rules.
type judge struct {
	sha256   string // lower-case hex, "" = not checked
	contains string
	budget   time.Duration // 0 = not checked
}

func newJudge(spec Spec) (judge, error) {
	sum, err := parseSHA256(spec.SHA256)
	if err != nil {
		return judge{}, err
	}
	if spec.LatencyBudget < 0 {
		return judge{}, fmt.Errorf("probe: LatencyBudget %s is negative, want a positive duration or 0 for none", spec.LatencyBudget)
	}
	return judge{sha256: sum, contains: spec.Contains, budget: spec.LatencyBudget}, nil
}

// verdict returns why the answer is bad, or "" when it is good. A non-2xx
// status is the whole story (the body is an error page); otherwise every
// problem is listed, so a slow and wrong canary says both. sum is the
// body's hex SHA-256, computed once by the caller.
func (j judge) verdict(status int, body []byte, sum string, latency time.Duration) string {
	if status < 200 || status > 299 {
		return statusText(status)
	}
	var problems []string
	if j.budget > 0 && latency > j.budget {
		problems = append(problems, fmt.Sprintf("slow: %s, budget %s", latency.Round(time.Millisecond), j.budget))
	}
	if j.sha256 != "" && sum != j.sha256 {
		problems = append(problems, fmt.Sprintf("body sha256 %s, want %s (%d bytes)", short(sum), short(j.sha256), len(body)))
	}
	if j.contains != "" && !strings.Contains(string(body), j.contains) {
		problems = append(problems, fmt.Sprintf("body (%d bytes) does not contain %q", len(body), j.contains))
	}
	return strings.Join(problems, "; ")
}

// short is enough of a digest for a person to compare.
func short(hexSum string) string { return hexSum[:12] + "…" }

// check wraps a fetcher with what every kind shares: the hard timeout, the
// clock, the judge, and the scrubbing of secrets from the reason.
func check(spec Spec, target string, j judge, fetch fetcher) Func {
	return func(ctx context.Context) Result {
		start := spec.Now()
		ctx, cancel := context.WithTimeoutCause(ctx, spec.Timeout, errCheckTimeout)
		defer cancel()
		status, body, etag, err := fetch(ctx)
		latency := spec.Now().Sub(start)
		r := Result{Target: target, Status: status, Latency: latency, At: start}
		if err != nil {
			r.Reason = explain(ctx, err, status, spec.Timeout, latency)
		} else {
			ok := status >= 200 && status <= 299
			if ok {
				sum := sha256.Sum256(body)
				r.SHA256, r.Size, r.ETag = hex.EncodeToString(sum[:]), int64(len(body)), etag
			}
			r.Reason = j.verdict(status, body, r.SHA256, latency)
		}
		r.Reason = scrub(r.Reason, spec.SecretAccessKey)
		r.OK = r.Reason == ""
		return r
	}
}

// scrub is the last guard that a secret never reaches a log line, whatever
// an origin or SDK echoed back.
func scrub(reason, secret string) string {
	if secret == "" {
		return reason
	}
	return strings.ReplaceAll(reason, secret, "REDACTED")
}
