package probe

import (
	"net/url"
	"strconv"
	"strings"
)

// secretQueryWords mark query parameters whose values must not be shown,
// e.g. X-Amz-Signature, X-Amz-Credential, token, api_key.
var secretQueryWords = []string{"sig", "token", "key", "secret", "credential", "pass", "auth"}

// RedactURL is u for people and logs: no user info, and the values of query
// parameters that look secret replaced by REDACTED. It is the one redactor
// of URLs: Result.Target, Spec.String and QuoteURL all go through it.
func RedactURL(u *url.URL) string {
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		q := c.Query()
		for name, values := range q {
			if !looksSecret(name) {
				continue
			}
			for i := range values {
				values[i] = "REDACTED"
			}
		}
		c.RawQuery = q.Encode()
	}
	return c.String()
}

func looksSecret(name string) bool {
	name = strings.ToLower(name)
	for _, w := range secretQueryWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// QuoteURL quotes a URL someone gave, for an error message about it: as
// typed, through RedactURL when a query parameter looks secret, and not at
// all when it cannot be parsed or holds an '@' anywhere. A refused URL's shape is unknown, so an '@' may end user info
// the parser did not see as such: https:user:pass@host, a typo for
// https://user:pass@host, parses with no user info and would otherwise be
// repeated in full (found by FuzzParseCheckURL).
func QuoteURL(raw string) string {
	if strings.Contains(raw, "@") {
		return "(value not shown: it contains '@' and may hold credentials)"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(value not shown: it is not a URL)"
	}
	for name := range u.Query() {
		if looksSecret(name) {
			return strconv.Quote(RedactURL(u))
		}
	}
	// As typed: a person finds their own spelling in their configuration.
	return strconv.Quote(raw)
}
