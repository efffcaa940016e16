package cloudflareapi

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Paging limits of the list endpoint.
const (
	defaultPerPage = 100
	maxPerPage     = 5000000
)

// filter is one list filter, from a query parameter.
type filter func(Record) bool

// textFilters are the suffixes of name.* and content.* parameters; each
// compares case-insensitively, as the real API does.
var textFilters = map[string]func(field, want string) bool{
	"":            func(f, v string) bool { return f == v },
	".exact":      func(f, v string) bool { return f == v },
	".contains":   strings.Contains,
	".startswith": strings.HasPrefix,
	".endswith":   strings.HasSuffix,
}

// filters builds the filters that q asks for.
func filters(q url.Values) ([]filter, *apiError) {
	var out []filter
	for key, vals := range q {
		want := strings.ToLower(vals[0])
		switch {
		case key == "type":
			out = append(out, func(r Record) bool { return r.Type == strings.ToUpper(want) })
		case key == "proxied":
			b, err := strconv.ParseBool(want)
			if err != nil {
				return nil, validation("proxied must be true or false.")
			}
			out = append(out, func(r Record) bool { return r.Proxied == b })
		case strings.HasPrefix(key, "name"), strings.HasPrefix(key, "content"):
			field, _, _ := strings.Cut(key, ".")
			match, ok := textFilters[strings.TrimPrefix(key, field)]
			if !ok || field != "name" && field != "content" {
				continue // an unknown parameter is ignored, as on the real API
			}
			if field == "name" {
				want = strings.TrimSuffix(want, ".")
				out = append(out, func(r Record) bool { return match(r.Name, want) })
			} else {
				out = append(out, func(r Record) bool { return match(strings.ToLower(r.Content), want) })
			}
		}
	}
	return out, nil
}

// matches reports whether r passes all filters (match=all, the default) or
// any of them (match=any).
func matches(r Record, fs []filter, anyOf bool) bool {
	if len(fs) == 0 {
		return true
	}
	for _, f := range fs {
		if f(r) == anyOf {
			return anyOf
		}
	}
	return !anyOf
}

func positiveInt(q url.Values, key string, def, max int) (int, *apiError) {
	v := q.Get(key)
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64) // cloudflare-go sends numbers as floats
	if err != nil || f < 1 || f != float64(int(f)) {
		return 0, validation(key + " must be a positive integer.")
	}
	return min(int(f), max), nil
}

// list serves GET /zones/{zone}/dns_records with Cloudflare's filters,
// ordering and pagination.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	fs, err := filters(q)
	if err != nil {
		writeError(w, err)
		return
	}
	page, err := positiveInt(q, "page", 1, maxPerPage)
	if err != nil {
		writeError(w, err)
		return
	}
	perPage, err := positiveInt(q, "per_page", defaultPerPage, maxPerPage)
	if err != nil {
		writeError(w, err)
		return
	}
	anyMatch := q.Get("match") == "any"

	var hits []Record
	for _, rec := range s.Records() {
		if matches(rec, fs, anyMatch) {
			hits = append(hits, rec)
		}
	}
	sortRecords(hits, q.Get("order"), q.Get("direction") == "desc")

	total := len(hits)
	start := min((page-1)*perPage, total)
	end := min(start+perPage, total)
	result := make([]recordJSON, 0, end-start)
	for _, rec := range hits[start:end] {
		result = append(result, s.render(rec))
	}
	writeResult(w, result, &resultInfo{
		Page: page, PerPage: perPage, Count: len(result), TotalCount: total,
		TotalPages: (total + perPage - 1) / perPage,
	})
}

func sortRecords(rs []Record, order string, desc bool) {
	key := map[string]func(a, b Record) int{
		"type":    func(a, b Record) int { return cmp.Compare(a.Type, b.Type) },
		"name":    func(a, b Record) int { return cmp.Compare(a.Name, b.Name) },
		"content": func(a, b Record) int { return cmp.Compare(a.Content, b.Content) },
		"ttl":     func(a, b Record) int { return cmp.Compare(a.TTL, b.TTL) },
		"proxied": func(a, b Record) int { return cmpBool(a.Proxied, b.Proxied) },
	}[order]
	slices.SortStableFunc(rs, func(a, b Record) int {
		c := 0
		if key != nil {
			c = key(a, b)
		}
		c = cmp.Or(c, compareRecords(a, b))
		if desc {
			return -c
		}
		return c
	})
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}
