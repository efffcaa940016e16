package route53

import "strings"

// Route 53 writes a TXT value as quoted character-strings in which `"` and
// `\` are escaped with a backslash and any other byte outside printable
// ASCII as a three-digit octal escape (\303\274 for ü).

// encodeTXT quotes raw text as one character-string.
func encodeTXT(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			b.WriteByte('\\')
			b.WriteByte('0' + c>>6)
			b.WriteByte('0' + c>>3&7)
			b.WriteByte('0' + c&7)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// decodeTXT returns the raw text of a TXT value, its character-strings
// joined (a value written by hand may be split or unquoted).
func decodeTXT(v string) string {
	var b strings.Builder
	inQuotes := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '"':
			inQuotes = !inQuotes
		case c == '\\' && i+1 < len(v):
			if i+3 < len(v) && isOctal(v[i+1]) && isOctal(v[i+2]) && isOctal(v[i+3]) {
				b.WriteByte((v[i+1]-'0')<<6 | (v[i+2]-'0')<<3 | (v[i+3] - '0'))
				i += 3
				continue
			}
			i++
			b.WriteByte(v[i])
		case c == ' ' && !inQuotes:
			// between character-strings
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
