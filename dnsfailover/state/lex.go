package state

import (
	"strings"
	"unicode/utf8"
)

// isSpace reports the bytes that separate pairs and character-strings. Only
// ASCII whitespace counts, so any other byte is part of a value.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func trimSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// joinStrings decodes TXT content in zone-file presentation form, one or more
// quoted character-strings separated by whitespace, and joins them with
// nothing between (RFC 7208 §3.3 reads split TXT data the same way). Inside a
// string `\X` stands for X and `\DDD` for the byte with decimal value DDD.
func joinStrings(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s))
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) {
			return b.String(), nil
		}
		if s[i] != '"' {
			return "", &ParseError{Value: short(s[i:]), Expected: "quoted character-strings separated by spaces"}
		}
		start := i
		i++
		for {
			if i == len(s) {
				return "", &ParseError{Value: short(s[start:]), Expected: "a closing double quote in the provider's quoted TXT content"}
			}
			c := s[i]
			if c == '"' {
				i++
				break
			}
			if c != '\\' {
				b.WriteByte(c)
				i++
				continue
			}
			if i+1 == len(s) {
				return "", &ParseError{Value: short(s[start:]), Expected: "a character after the backslash"}
			}
			if n, ok := decimalEscape(s[i+1:]); ok {
				b.WriteByte(n)
				i += 4
				continue
			}
			if isDigit(s[i+1]) {
				return "", &ParseError{Value: short(s[i:]), Expected: `a \DDD escape of three digits from 000 to 255`}
			}
			b.WriteByte(s[i+1])
			i += 2
		}
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// decimalEscape reads the DDD of a `\DDD` escape at the start of s.
func decimalEscape(s string) (byte, bool) {
	if len(s) < 3 || !isDigit(s[0]) || !isDigit(s[1]) || !isDigit(s[2]) {
		return 0, false
	}
	n := int(s[0]-'0')*100 + int(s[1]-'0')*10 + int(s[2]-'0')
	if n > 255 {
		return 0, false
	}
	return byte(n), true
}

// splitPairs reads `key=value key="quoted value" ...` into a map. A quoted
// value may hold anything, with `\"` for a quote and `\\` for a backslash; a
// bare value runs to the next whitespace and may not hold a quote. A known
// key given twice is an error, since either reading could be wrong.
func splitPairs(s string) (map[string]string, error) {
	pairs := make(map[string]string, 8)
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) {
			return pairs, nil
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != '"' && !isSpace(s[i]) {
			i++
		}
		if i == start || i == len(s) || s[i] != '=' {
			end := i
			for end < len(s) && !isSpace(s[end]) {
				end++
			}
			return nil, &ParseError{Value: short(s[start:end]), Expected: expectPairs}
		}
		key := s[start:i]
		i++ // '='
		value, next, err := readValue(key, s, i)
		if err != nil {
			return nil, err
		}
		i = next
		if _, dup := pairs[key]; dup && known(key) {
			return nil, &ParseError{Key: key, Value: short(value), Expected: "the key only once"}
		}
		pairs[key] = value
	}
}

// readValue reads the value of key starting at s[i] and returns it with the
// index just after it.
func readValue(key, s string, i int) (string, int, error) {
	start := i
	if i < len(s) && s[i] == '"' {
		var b strings.Builder
		for i++; ; i++ {
			if i == len(s) {
				return "", 0, &ParseError{Key: key, Value: short(s[start:]), Expected: "a closing double quote"}
			}
			c := s[i]
			if c == '"' {
				break
			}
			if c == '\\' {
				if i+1 == len(s) {
					return "", 0, &ParseError{Key: key, Value: short(s[start:]), Expected: "a character after the backslash"}
				}
				i++
				c = s[i]
			}
			b.WriteByte(c)
		}
		i++ // closing quote
		if i < len(s) && !isSpace(s[i]) {
			return "", 0, &ParseError{Key: key, Value: short(s[start:tokenEnd(s, i)]), Expected: "a space after the closing quote"}
		}
		return b.String(), i, nil
	}
	for i < len(s) && !isSpace(s[i]) {
		if s[i] == '"' {
			return "", 0, &ParseError{Key: key, Value: short(s[start:tokenEnd(s, i)]), Expected: "a value without double quotes, or one wholly in double quotes"}
		}
		i++
	}
	return s[start:i], i, nil
}

// tokenEnd is the index of the next whitespace at or after i.
func tokenEnd(s string, i int) int {
	for i < len(s) && !isSpace(s[i]) {
		i++
	}
	return i
}

// known reports the keys this version reads.
func known(key string) bool {
	switch key {
	case "v", "active", "gen", "since", "by", "pinned", "reason":
		return true
	}
	return false
}

// short cuts s for an error message at a rune boundary, so that a record
// which is not ours does not flood a log line.
func short(s string) string {
	const limit = 40
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
