package probe

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// CheckURL is a parsed check location (SWITCHYARD_PRIMARY_CHECK,
// SWITCHYARD_STANDBY_CHECK, Spec.URL). Configuration validation and New parse
// with ParseCheckURL, so what is accepted at start is exactly what the probes
// understand.
type CheckURL struct {
	// Kind is KindHTTP for http:// and https:// checks, KindS3 for s3:// ones.
	Kind string
	// URL is the whole check URL as parsed.
	URL *url.URL
	// Bucket and Key name the canary object for KindS3.
	Bucket, Key string
	// Endpoint is the S3 API base URL (empty: AWS's own); Region the
	// signing region (empty: the probe's default, us-east-1).
	Endpoint, Region string
}

// The kinds of check ParseCheckURL knows.
const (
	KindHTTP = "http"
	KindS3   = "s3"
)

const checkForms = "want https://host/key, http://host/key or s3://bucket/key"

// s3Params are the only query parameters an s3:// check may carry.
var s3Params = map[string]bool{"endpoint": true, "region": true}

// regionName is an AWS-style region (us-east-1) or any provider's
// lower-case region label (auto for R2).
var regionName = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ParseCheckURL parses a canary location: http://host/path,
// https://host/path or s3://bucket/key?endpoint=URL&region=R. Where the
// probes and the configuration once disagreed it takes the strict form: user
// info is refused in every scheme (credentials do not belong in a URL; an
// s3:// check takes its keys from their own settings), and a repeated s3://
// parameter is refused rather than the last one silently winning. Errors say
// what is wrong without repeating anything that may be a credential.
func ParseCheckURL(raw string) (CheckURL, error) {
	if raw == "" {
		return CheckURL{}, errors.New("is empty: " + checkForms)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url's own error repeats the input, which may hold credentials.
		return CheckURL{}, errors.New("cannot be parsed as a URL: " + checkForms)
	}
	if u.User != nil {
		return CheckURL{}, errors.New("must not contain user info: credentials do not belong in a URL")
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return CheckURL{}, fmt.Errorf("%s has no host: %s", QuoteURL(raw), checkForms)
		}
		return CheckURL{Kind: KindHTTP, URL: u}, nil
	case "s3":
		return parseS3(u)
	default:
		return CheckURL{}, fmt.Errorf("%s: %s", QuoteURL(raw), checkForms)
	}
}

func parseS3(u *url.URL) (CheckURL, error) {
	c := CheckURL{Kind: KindS3, URL: u, Bucket: u.Host, Key: strings.TrimPrefix(u.Path, "/")}
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
		if err := CheckBaseURL(c.Endpoint); err != nil {
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
		return CheckURL{}, errors.New(strings.Join(problems, "; "))
	}
	return c, nil
}

// String returns the check as a URL. ParseCheckURL refuses user info, so it
// holds no credentials.
func (c CheckURL) String() string {
	if c.Kind == KindHTTP {
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

// CheckBaseURL accepts an absolute http or https URL with a host and no
// user info: an s3:// check's endpoint, and every other base URL switchyard
// is configured with (peers, the Cloudflare API). The error never contains
// the URL's user info.
func CheckBaseURL(raw string) error {
	if raw == "" {
		return errors.New("is empty: want an absolute http:// or https:// URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url's own error repeats the input, which may hold credentials.
		return errors.New("cannot be parsed: want an absolute http:// or https:// URL")
	}
	switch {
	case u.User != nil:
		return errors.New("must not contain user info (credentials do not belong in a URL)")
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%s: want an absolute http:// or https:// URL", QuoteURL(raw))
	case u.Host == "":
		return fmt.Errorf("%s has no host", QuoteURL(raw))
	}
	return nil
}
