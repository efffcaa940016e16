package probe

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxRedirects is how many same-host redirects a check follows.
const maxRedirects = 5

// newHTTP checks an http(s):// canary with a plain GET.
func newHTTP(spec Spec, u *url.URL, j judge) Func {
	client := noOffHostRedirects(spec.HTTPClient, u.Host)
	raw := u.String()
	fetch := func(ctx context.Context) (int, []byte, string, error) {
		resp, err := get(ctx, client, raw)
		if err != nil {
			return 0, nil, "", err
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
			// Only an unfollowed redirect gets here.
			return resp.StatusCode, nil, "", redirectFailure(resp, u.Host)
		}
		body, err := readBody(resp.Body)
		return resp.StatusCode, body, resp.Header.Get("ETag"), err
	}
	return check(spec, RedactURL(u), j, fetch)
}

// get sends the canary's GET, as every HTTP check of an origin does.
func get(ctx context.Context, client *http.Client, raw string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("User-Agent", userAgent)
	// A CDN or proxy in front of the origin must not answer for it.
	req.Header.Set("Cache-Control", "no-cache")
	return client.Do(req)
}

// noOffHostRedirects returns a copy of c (sharing its Transport) that
// follows redirects only within host. A canary that redirects to another
// host would make the check judge that other host while the record still
// points here, so such a redirect fails the check and says where it went.
func noOffHostRedirects(c *http.Client, host string) *http.Client {
	cp := *c
	next := c.CheckRedirect
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !strings.EqualFold(req.URL.Host, host) || len(via) > maxRedirects {
			return http.ErrUseLastResponse
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	return &cp
}

func redirectFailure(resp *http.Response, host string) error {
	loc, err := resp.Location()
	switch {
	case err != nil:
		return failure(fmt.Sprintf("%s without a usable Location", statusText(resp.StatusCode)))
	case !strings.EqualFold(loc.Host, host):
		return failure(fmt.Sprintf("%s: redirect to another host %s, not followed; check that host directly", statusText(resp.StatusCode), loc.Host))
	default:
		return failure(fmt.Sprintf("%s: more than %d redirects", statusText(resp.StatusCode), maxRedirects))
	}
}

// readBody reads all of r up to MaxBody.
func readBody(r io.Reader) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if len(body) > MaxBody {
		return nil, errBodyTooLarge
	}
	return body, nil
}
