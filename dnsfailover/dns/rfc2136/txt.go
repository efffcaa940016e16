package rfc2136

import (
	"strings"

	"github.com/miekg/dns"
)

// miekg/dns holds TXT character-strings in presentation form: on the wire
// a string is raw bytes, but dns.TXT.Txt escapes `"` and `\` with a
// backslash and any other unprintable byte as \DDD (and reads them back so
// when packing). The state is raw text, so it passes through these two.

// escapeTXT turns raw text into miekg's form.
func escapeTXT(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

// txtContent is the raw text of a TXT record, its character-strings joined
// (a state written by hand may be split into several).
func txtContent(rr *dns.TXT) string {
	var b strings.Builder
	for _, s := range rr.Txt {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c == '\\' && i+1 < len(s) {
				if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
					b.WriteByte((s[i+1]-'0')*100 + (s[i+2]-'0')*10 + (s[i+3] - '0'))
					i += 3
					continue
				}
				i++
				c = s[i]
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
