package authdns

import (
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// zoneData is one query's view of the zone: the records indexed by owner.
type zoneData struct {
	zone   string
	byName map[string][]Record // canonical owner -> records with Type upper-cased
	serial uint32
}

// load reads the records once for this query, keeping only those inside the
// zone, and bumps the SOA serial when they changed since the last query.
func (s *Server) load() *zoneData {
	z := &zoneData{zone: s.zone, byName: map[string][]Record{}}
	var kept []Record
	for _, r := range s.records() {
		name := canonical(r.Name)
		if strings.TrimSpace(r.Name) == "@" {
			name = s.zone
		}
		if !dns.IsSubDomain(s.zone, name) {
			continue
		}
		r.Name, r.Type = name, strings.ToUpper(strings.TrimSpace(r.Type))
		z.byName[name] = append(z.byName[name], r)
		kept = append(kept, r)
	}
	z.serial = s.serial.observe(kept)
	return z
}

// exists tells whether name owns records or is an empty non-terminal (some
// record lives below it): such a name gets NODATA, never NXDOMAIN.
func (z *zoneData) exists(name string) bool {
	if name == z.zone || len(z.byName[name]) > 0 {
		return true
	}
	for owner := range z.byName {
		if strings.HasSuffix(owner, "."+name) {
			return true
		}
	}
	return false
}

// find returns the records of type typ at name.
func (z *zoneData) find(name, typ string) []Record {
	var out []Record
	for _, r := range z.byName[name] {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// serial is the SOA serial: a counter that moves on whenever the records
// differ from those seen by the previous query. Secondaries and caches only
// need it to increase on change, which a counter gives without a clock.
type serial struct {
	mu   sync.Mutex
	hash uint64
	n    uint32
}

func (s *serial) observe(recs []Record) uint32 {
	h := hashRecords(recs)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == 0 || h != s.hash {
		s.n++
		s.hash = h
	}
	return s.n
}

// hashRecords is independent of the order the store returns records in.
func hashRecords(recs []Record) uint64 {
	lines := make([]string, len(recs))
	for i, r := range recs {
		lines[i] = r.Name + "\x00" + r.Type + "\x00" + r.Content + "\x00" + strconv.Itoa(r.TTL)
	}
	slices.Sort(lines)
	h := fnv.New64a()
	for _, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
	}
	return h.Sum64()
}
