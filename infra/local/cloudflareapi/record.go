package cloudflareapi

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"time"
)

// Record is one DNS record of the zone, as the API stores it.
type Record struct {
	ID      string
	Name    string // fully qualified, lower case, no trailing dot
	Type    string // upper case
	Content string // stored as given (TXT keeps its quotes, or lack of them)
	TTL     int    // 1 means automatic
	Proxied bool
	Comment string

	CreatedOn, ModifiedOn time.Time
}

// compareRecords orders records by name, type, content and id: the order of
// Records and of an unsorted list.
func compareRecords(a, b Record) int {
	return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Type, b.Type),
		cmp.Compare(a.Content, b.Content), cmp.Compare(a.ID, b.ID))
}

// recordJSON is a record as the API renders it.
type recordJSON struct {
	ID         string         `json:"id"`
	ZoneID     string         `json:"zone_id"`
	ZoneName   string         `json:"zone_name"`
	Name       string         `json:"name"`
	Type       string         `json:"type"`
	Content    string         `json:"content"`
	Proxiable  bool           `json:"proxiable"`
	Proxied    bool           `json:"proxied"`
	TTL        int            `json:"ttl"`
	Settings   struct{}       `json:"settings"`
	Meta       map[string]any `json:"meta"`
	Comment    *string        `json:"comment"`
	Tags       []string       `json:"tags"`
	CreatedOn  time.Time      `json:"created_on"`
	ModifiedOn time.Time      `json:"modified_on"`
}

func (s *Server) render(r Record) recordJSON {
	j := recordJSON{
		ID: r.ID, ZoneID: s.zoneID, ZoneName: s.zoneName,
		Name: r.Name, Type: r.Type, Content: r.Content,
		Proxiable: proxiable(r.Type), Proxied: r.Proxied, TTL: r.TTL,
		Meta: map[string]any{}, Tags: []string{},
		CreatedOn: r.CreatedOn.UTC(), ModifiedOn: r.ModifiedOn.UTC(),
	}
	if r.Comment != "" {
		c := r.Comment
		j.Comment = &c
	}
	return j
}

func proxiable(typ string) bool { return typ == "A" || typ == "AAAA" || typ == "CNAME" }

// recordInput is a record in a request body. Pointers tell a field that was
// sent from one that was not, which a PATCH needs.
type recordInput struct {
	ID      *string  `json:"id"`
	Name    *string  `json:"name"`
	Type    *string  `json:"type"`
	Content *string  `json:"content"`
	TTL     *float64 `json:"ttl"`
	Proxied *bool    `json:"proxied"`
	Comment *string  `json:"comment"`
}

// patch returns r with the fields that in sets.
func (in recordInput) patch(r Record) (Record, *apiError) {
	if in.Name != nil {
		r.Name = *in.Name
	}
	if in.Type != nil {
		r.Type = strings.ToUpper(strings.TrimSpace(*in.Type))
	}
	if in.Content != nil {
		r.Content = *in.Content
	}
	if in.TTL != nil {
		t := *in.TTL
		if t != math.Trunc(t) || t < 0 || t > math.MaxInt32 {
			return r, errTTL
		}
		r.TTL = int(t)
	}
	if in.Proxied != nil {
		r.Proxied = *in.Proxied
	}
	if in.Comment != nil {
		r.Comment = *in.Comment
	}
	return r, nil
}

// full returns the record that a POST or PUT of in describes: every field not
// sent takes its default, as on the real API.
func (in recordInput) full() (Record, *apiError) {
	if in.Name == nil || in.Type == nil || in.Content == nil {
		return Record{}, validation("name, type and content are required.")
	}
	r, err := in.patch(Record{TTL: 1})
	return r, err
}

// normalizeName makes name fully qualified inside zone, as the API does with
// a relative name or "@".
func normalizeName(name, zone string) (string, *apiError) {
	n := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
	switch {
	case n == "":
		return "", validation("DNS record name is required.")
	case n == "@" || n == zone:
		return zone, nil
	case !strings.HasSuffix(n, "."+zone):
		n += "." + zone
	}
	if !validHostname(n, true) {
		return "", validation(fmt.Sprintf("DNS record name %q is invalid.", name))
	}
	return n, nil
}

// validHostname reports whether name is a DNS name of letters, digits, '-'
// and '_' labels (a leading "*" label when wildcard is allowed).
func validHostname(name string, wildcard bool) bool {
	if len(name) == 0 || len(name) > 253 {
		return false
	}
	for i, label := range strings.Split(name, ".") {
		if label == "*" && i == 0 && wildcard {
			continue
		}
		if len(label) == 0 || len(label) > 63 {
			return false
		}
		for _, c := range label {
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
			if !ok {
				return false
			}
		}
	}
	return true
}

// validate checks r on its own and against the other records of the zone,
// in the order the real API reports problems: name, type, content, TTL,
// proxying, then conflicts.
func validate(r *Record, zone string, others []Record) *apiError {
	name, err := normalizeName(r.Name, zone)
	if err != nil {
		return err
	}
	r.Name = name
	switch r.Type {
	case "A":
		if ip, err := netip.ParseAddr(strings.TrimSpace(r.Content)); err != nil || !ip.Is4() {
			return errA
		}
	case "AAAA":
		if ip, err := netip.ParseAddr(strings.TrimSpace(r.Content)); err != nil || !ip.Is6() || ip.Zone() != "" {
			return errAAAA
		}
	case "CNAME", "NS":
		target := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(r.Content), "."))
		if !validHostname(target, false) {
			if r.Type == "CNAME" {
				return errCNAME
			}
			return validation("Content for NS record must be a valid hostname.")
		}
		if r.Type == "CNAME" && target == r.Name {
			return errCNAMESelf
		}
		r.Content = target
	case "TXT":
		if r.Content == "" {
			return validation("Content for TXT record is required.")
		}
		if len(r.Content) > 2048 {
			return validation("Content for TXT record must be at most 2048 characters.")
		}
	default:
		return validation(fmt.Sprintf("Invalid or unsupported DNS record type %q (this fake serves A, AAAA, CNAME, TXT and NS).", r.Type))
	}
	if r.TTL != 1 && (r.TTL < 60 || r.TTL > 86400) {
		return errTTL
	}
	if r.Proxied && !proxiable(r.Type) {
		return errNotProxy
	}
	// Traffic to a proxied record goes through Cloudflare's edge, which
	// answers resolvers itself with TTL Auto; a TTL of its own is refused
	// (as a deploy that sets one on a proxied record fails), so a client
	// that rewrites such a record must keep its TTL automatic.
	if r.Proxied && r.TTL != 1 {
		return errProxiedTTL
	}
	for _, o := range others {
		if o.Name != r.Name {
			continue
		}
		switch {
		case r.Type == "CNAME" && proxiable(o.Type):
			return errHostTaken
		case o.Type == "CNAME" && proxiable(r.Type):
			return errCNAMETaken
		case o.Type == r.Type && strings.EqualFold(o.Content, r.Content):
			return errDuplicate
		}
	}
	return nil
}
