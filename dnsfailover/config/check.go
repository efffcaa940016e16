package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Check is a parsed SWITCHYARD_PRIMARY_CHECK or SWITCHYARD_STANDBY_CHECK.
// Validate and the probes parse with the same function, so what is accepted
// at start is exactly what the probes understand.
type Check struct {
	// Kind is "http" for http:// and https:// checks, "s3" for s3:// ones.
	Kind string
	// URL is the whole check URL for Kind "http".
	URL *url.URL
	// Bucket and Key name the canary object for Kind "s3".
	Bucket, Key string
	// Endpoint is the S3 API base URL (empty: AWS's own); Region the
	// signing region (empty: the SDK's default).
	Endpoint, Region string
}

// s3Params are the only query parameters an s3:// check may carry.
var s3Params = map[string]bool{"endpoint": true, "region": true}

// regionName is an AWS-style region (us-east-1) or any provider's
// lower-case region label (auto for R2).
var regionName = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ParseCheck parses a canary location: http://host/path, https://host/path
// or s3://bucket/key?endpoint=URL&region=R. Errors describe what is wrong
// without repeating user info.
func ParseCheck(raw string) (Check, error) {
	const forms = "want https://host/key, http://host/key or s3://bucket/key"
	u, err := url.Parse(raw)
	if err != nil {
		// url's own error repeats the input, which may hold credentials.
		return Check{}, errors.New("cannot be parsed as a URL: " + forms)
	}
	if u.User != nil {
		return Check{}, errors.New("must not contain user info: credentials do not belong in a URL")
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return Check{}, fmt.Errorf("%s has no host: %s", quoteURL(raw), forms)
		}
		return Check{Kind: "http", URL: u}, nil
	case "s3":
		return parseS3Check(u)
	default:
		return Check{}, fmt.Errorf("%s: %s", quoteURL(raw), forms)
	}
}

func parseS3Check(u *url.URL) (Check, error) {
	c := Check{Kind: "s3", Bucket: u.Host, Key: strings.TrimPrefix(u.Path, "/")}
	var problems []string
	if c.Bucket == "" {
		problems = append(problems, "no bucket: want s3://bucket/key")
	}
	if c.Key == "" {
		problems = append(problems, "no object key: want s3://bucket/key")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		problems = append(problems, "query cannot be parsed: want ?endpoint=URL&region=R")
	}
	var unknown []string
	for name, values := range q {
		switch {
		case !s3Params[name]:
			unknown = append(unknown, name)
		case len(values) > 1:
			problems = append(problems, fmt.Sprintf("%s is given %d times", name, len(values)))
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		problems = append(problems, fmt.Sprintf("unknown parameter %s: only endpoint and region are allowed", strings.Join(unknown, ", ")))
	}
	if q.Has("endpoint") {
		c.Endpoint = q.Get("endpoint")
		if err := checkBaseURL(c.Endpoint); err != nil {
			problems = append(problems, "endpoint "+err.Error())
		}
	}
	if q.Has("region") {
		c.Region = q.Get("region")
		if !regionName.MatchString(c.Region) {
			problems = append(problems, fmt.Sprintf("region %q: want a region such as us-east-1", c.Region))
		}
	}
	if len(problems) > 0 {
		return Check{}, errors.New(strings.Join(problems, "; "))
	}
	return c, nil
}

// String returns the check as a URL, for logs and probe.Result.Target.
// ParseCheck refuses user info, so it holds no credentials.
func (c Check) String() string {
	if c.Kind == "http" {
		return c.URL.String()
	}
	u := url.URL{Scheme: "s3", Host: c.Bucket, Path: "/" + c.Key}
	q := url.Values{}
	if c.Endpoint != "" {
		q.Set("endpoint", c.Endpoint)
	}
	if c.Region != "" {
		q.Set("region", c.Region)
	}
	u.RawQuery = q.Encode()
	return u.String()
}
