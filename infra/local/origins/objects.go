package origins

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Put stores body under key in the origin's bucket, as a client would (an
// anonymous PUT, which gofakes3 accepts), so a test can give one origin an
// object the other lacks. It works while the origin is down or slowed only
// if the fault lets it through: played faults apply to every request.
func (o *Origin) Put(ctx context.Context, key string, body []byte) error {
	return o.do(ctx, http.MethodPut, key, body)
}

// Delete removes key from the origin's bucket.
func (o *Origin) Delete(ctx context.Context, key string) error {
	return o.do(ctx, http.MethodDelete, key, nil)
}

// ObjectURL is the plain path-style URL of key, like HTTPURL for the canary.
func (o *Origin) ObjectURL(key string) string {
	u, _ := url.Parse(o.url) // built by Start, always valid
	u.Path = "/" + o.bucket + "/" + key
	return u.String()
}

func (o *Origin) do(ctx context.Context, method, key string, body []byte) error {
	if key == "" {
		return fmt.Errorf("origins: %s %s: key is empty", method, o.name)
	}
	req, err := http.NewRequestWithContext(ctx, method, o.ObjectURL(key), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("origins: %s %s/%s: %w", method, o.name, key, err)
	}
	req.ContentLength = int64(len(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("origins: %s %s/%s: %w", method, o.name, key, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("origins: %s %s/%s: %s: %s", method, o.name, key, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}
