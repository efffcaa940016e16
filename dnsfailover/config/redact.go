package config

import (
	"strconv"
	"strings"
)

// quoteURL quotes raw for an error message unless it may hold credentials:
// an '@' anywhere (https:user:pass@host, a typo for https://user:pass@host,
// parses with no user info and would otherwise be repeated in full). Found
// by FuzzParseCheck.
func quoteURL(raw string) string {
	if strings.Contains(raw, "@") {
		return "(value not shown: it contains '@' and may hold credentials)"
	}
	return strconv.Quote(raw)
}
