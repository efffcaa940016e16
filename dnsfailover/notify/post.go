package notify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// post sends body as JSON and classifies the answer: 2xx is delivered;
// 408, 429 and 5xx (and no answer at all) may be retried; any other status
// is a *PermanentError. name, not the URL, appears in errors: the URL of
// a Slack webhook is its credential.
func post(ctx context.Context, c *http.Client, name, url string, body []byte, header http.Header) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return &PermanentError{fmt.Errorf("%s: build request: invalid URL", name)}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "switchyard-notify")
	resp, err := c.Do(req)
	if err != nil {
		// The error text of net/http quotes the URL; drop it.
		return fmt.Errorf("%s: no answer (%s)", name, errKind(ctx, err))
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	err = fmt.Errorf("%s: HTTP %d: %s", name, resp.StatusCode, bytes.TrimSpace(msg))
	switch {
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		return err
	}
	return &PermanentError{err}
}

func errKind(ctx context.Context, err error) string {
	if ctx.Err() != nil {
		return ctx.Err().Error()
	}
	type timeout interface{ Timeout() bool }
	if t, ok := err.(timeout); ok && t.Timeout() {
		return "timeout"
	}
	return "connection failed"
}
