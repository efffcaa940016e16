package authdns

import (
	"fmt"
	"net"
	"strings"

	"github.com/miekg/dns"
)

// defaultTTL stands in for Cloudflare's "automatic" TTL (stored as 1) and
// for a missing one; Cloudflare's automatic is 300 seconds.
const defaultTTL = 300

// toRR turns a stored record into a resource record owned by owner (the
// name as asked, so a 0x20-randomized query gets its own case back).
func toRR(owner string, r Record) (dns.RR, error) {
	ttl := uint32(defaultTTL)
	if r.TTL > 1 {
		ttl = uint32(r.TTL)
	}
	typ, ok := dns.StringToType[r.Type]
	if !ok {
		return nil, fmt.Errorf("authdns: record %s: unknown type %q", r.Name, r.Type)
	}
	hdr := dns.RR_Header{Name: dns.Fqdn(owner), Rrtype: typ, Class: dns.ClassINET, Ttl: ttl}
	content := strings.TrimSpace(r.Content)
	switch typ {
	case dns.TypeA:
		ip := net.ParseIP(content).To4()
		if ip == nil {
			return nil, fmt.Errorf("authdns: A record %s: content %q is not an IPv4 address", r.Name, content)
		}
		return &dns.A{Hdr: hdr, A: ip}, nil
	case dns.TypeAAAA:
		ip := net.ParseIP(content)
		if ip == nil || ip.To4() != nil {
			return nil, fmt.Errorf("authdns: AAAA record %s: content %q is not an IPv6 address", r.Name, content)
		}
		return &dns.AAAA{Hdr: hdr, AAAA: ip}, nil
	case dns.TypeCNAME, dns.TypeNS:
		if _, ok := dns.IsDomainName(content); !ok || content == "" {
			return nil, fmt.Errorf("authdns: %s record %s: content %q is not a domain name", r.Type, r.Name, content)
		}
		if typ == dns.TypeNS {
			return &dns.NS{Hdr: hdr, Ns: dns.Fqdn(content)}, nil
		}
		return &dns.CNAME{Hdr: hdr, Target: dns.Fqdn(content)}, nil
	case dns.TypeTXT:
		return &dns.TXT{Hdr: hdr, Txt: txtStrings(r.Content)}, nil
	}
	// Any other type in zone-file presentation form (e.g. CAA).
	rr, err := dns.NewRR(fmt.Sprintf("%s %d IN %s %s", hdr.Name, ttl, r.Type, content))
	if err != nil || rr == nil {
		return nil, fmt.Errorf("authdns: %s record %s: content %q: %v", r.Type, r.Name, content, err)
	}
	return rr, nil
}

// maxTXTString is the longest character-string a TXT record can carry.
const maxTXTString = 255

// txtStrings splits TXT content into character-strings. Quoted content
// ("a" or "a" "b", as Cloudflare stores it) is unquoted; anything else is
// taken as one literal string. Strings over 255 bytes are split, which
// clients join back together. The result is escaped for miekg/dns, which
// reads backslashes in TXT strings as escapes when packing.
func txtStrings(content string) []string {
	parts, ok := unquote(content)
	if !ok {
		parts = []string{content}
	}
	var out []string
	for _, p := range parts {
		for len(p) > maxTXTString {
			out = append(out, p[:maxTXTString])
			p = p[maxTXTString:]
		}
		out = append(out, p)
	}
	for i, p := range out {
		out[i] = strings.ReplaceAll(p, `\`, `\\`)
	}
	return out
}

// unquote parses `"a" "b\"c"` into [a, b"c]. ok is false unless the whole
// content is quoted strings separated by blanks.
func unquote(content string) (parts []string, ok bool) {
	s := strings.TrimSpace(content)
	if !strings.HasPrefix(s, `"`) {
		return nil, false
	}
	for s != "" {
		if s[0] != '"' {
			return nil, false
		}
		var b strings.Builder
		i, closed := 1, false
		for ; i < len(s); i++ {
			c := s[i]
			if c == '\\' && i+1 < len(s) {
				if n, ok := ddd(s[i+1:]); ok {
					b.WriteByte(n)
					i += 3
				} else {
					i++
					b.WriteByte(s[i])
				}
				continue
			}
			if c == '"' {
				closed = true
				break
			}
			b.WriteByte(c)
		}
		if !closed {
			return nil, false
		}
		parts = append(parts, b.String())
		s = strings.TrimLeft(s[i+1:], " \t")
	}
	return parts, true
}

// ddd reads a \DDD decimal byte escape (the digits after the backslash).
func ddd(s string) (byte, bool) {
	if len(s) < 3 {
		return 0, false
	}
	n := 0
	for _, c := range s[:3] {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n > 255 {
		return 0, false
	}
	return byte(n), true
}
