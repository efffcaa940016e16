// Package route53api is an in-process stand-in for the part of the Amazon
// Route 53 REST API (2013-04-01, XML) that changes one hosted zone's
// records, faithful enough that the unmodified aws-sdk-go-v2 Route 53
// client works against it: ListResourceRecordSets (Route 53's order and
// paging), ChangeResourceRecordSets (a batch is all or nothing; DELETE must
// match the record set exactly, TTL included; CREATE of an existing set
// fails; InvalidChangeBatch lists every problem), and GetChange (PENDING
// until SyncDelay has passed, then INSYNC).
//
// Requests must carry a SigV4 Authorization header naming the configured
// access key; the signature itself is not checked. Tests use FailNext to
// make it throttle (Throttling, PriorRequestNotComplete) or fail (5xx) like
// the real API, and the local world hands Records to a real DNS server.
package route53api

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Namespace is Route 53's XML namespace.
const Namespace = "https://route53.amazonaws.com/doc/2013-04-01/"

// Options configure a Server.
type Options struct {
	ZoneID    string        // the hosted zone's id, e.g. Z0123456789ABCDEFGHIJ (default DefaultZoneID)
	ZoneName  string        // its apex (default example.com)
	AccessKey string        // the access key id every request must be signed with
	SyncDelay time.Duration // how long a change stays PENDING (0: INSYNC at once)
	Now       func() time.Time
}

// DefaultZoneID is the zone id used when Options.ZoneID is empty.
const DefaultZoneID = "Z0SWITCHYARDLOCAL01"

// RecordSet is one resource record set as Route 53 stores it: Name fully
// qualified and lower case, Values in presentation format (TXT quoted).
type RecordSet struct {
	Name   string
	Type   string
	TTL    int64
	Values []string
}

// Call is one request the server answered.
type Call struct {
	Method, Path, Query string
	Status              int
	Code                string // the error code, "" on success
}

// Fault is an injected failure of the next matching requests.
type Fault struct {
	Status int    // e.g. 400 or 503
	Code   string // e.g. Throttling, PriorRequestNotComplete, ServiceUnavailable
	Count  int    // how many requests it fails
	// Changes, when true, fails only ChangeResourceRecordSets requests.
	Changes bool
}

type change struct {
	id        string
	submitted time.Time
	comment   string
}

// Server holds one hosted zone. It is safe for concurrent use.
type Server struct {
	zoneID, zoneName, accessKey string
	syncDelay                   time.Duration
	now                         func() time.Time

	mu       sync.Mutex
	sets     map[setKey]RecordSet
	changes  map[string]change
	nextID   int
	calls    []Call
	faults   []Fault
	onChange []func([]RecordSet)
}

type setKey struct{ name, typ string }

// New returns a server holding the zone's SOA and NS record sets.
func New(o Options) *Server {
	if o.ZoneID == "" {
		o.ZoneID = DefaultZoneID
	}
	if o.ZoneName == "" {
		o.ZoneName = "example.com"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{zoneID: o.ZoneID, zoneName: fqdn(o.ZoneName), accessKey: o.AccessKey,
		syncDelay: o.SyncDelay, now: o.Now, sets: map[setKey]RecordSet{}, changes: map[string]change{}}
	s.put(RecordSet{Name: s.zoneName, Type: "SOA", TTL: 900,
		Values: []string{"ns-1.awsdns-local.invalid. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"}})
	s.put(RecordSet{Name: s.zoneName, Type: "NS", TTL: 172800, Values: []string{"ns-1.awsdns-local.invalid."}})
	return s
}

// ZoneID is the hosted zone's id.
func (s *Server) ZoneID() string { return s.zoneID }

// Put creates or replaces a record set, as a person would in the console.
func (s *Server) Put(rs RecordSet) {
	s.mu.Lock()
	s.put(rs)
	snap := s.snapshot()
	fns := slices.Clone(s.onChange)
	s.mu.Unlock()
	for _, f := range fns {
		f(snap)
	}
}

func (s *Server) put(rs RecordSet) {
	rs.Name, rs.Type = fqdn(rs.Name), strings.ToUpper(rs.Type)
	s.sets[setKey{rs.Name, rs.Type}] = rs
}

// Records returns every record set, in Route 53's order.
func (s *Server) Records() []RecordSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshot()
}

func (s *Server) snapshot() []RecordSet {
	out := make([]RecordSet, 0, len(s.sets))
	for _, rs := range s.sets {
		rs.Values = slices.Clone(rs.Values)
		out = append(out, rs)
	}
	slices.SortFunc(out, func(a, b RecordSet) int { return compareSets(a.Name, a.Type, b.Name, b.Type) })
	return out
}

// OnChange registers f to be called with every record set after each
// committed change batch.
func (s *Server) OnChange(f func([]RecordSet)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onChange = append(s.onChange, f)
}

// FailNext makes the next matching requests fail with f.
func (s *Server) FailNext(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// Calls returns the requests answered so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// ServeHTTP answers the Route 53 operations switchyard uses.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, code := s.serve(w, r)
	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: status, Code: code})
	s.mu.Unlock()
}

const (
	zonePrefix   = "/2013-04-01/hostedzone/"
	changePrefix = "/2013-04-01/change/"
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) (int, string) {
	if !s.signed(r) {
		return writeError(w, http.StatusForbidden, "Sender", "InvalidClientTokenId", "The security token included in the request is invalid.")
	}
	path := r.URL.Path
	isChange := r.Method == http.MethodPost && strings.HasPrefix(path, zonePrefix)
	if f, ok := s.takeFault(isChange); ok {
		typ := "Sender"
		if f.Status >= 500 {
			typ = "Receiver"
		}
		return writeError(w, f.Status, typ, f.Code, "Injected fault: "+f.Code)
	}
	switch {
	case strings.HasPrefix(path, zonePrefix):
		rest := strings.TrimPrefix(path, zonePrefix)
		id, op, _ := strings.Cut(rest, "/")
		if op != "rrset" && op != "rrset/" {
			return writeError(w, http.StatusNotFound, "Sender", "UnknownOperationException", "Unknown operation "+r.Method+" "+path)
		}
		if id != s.zoneID {
			return writeError(w, http.StatusNotFound, "Sender", "NoSuchHostedZone", "No hosted zone found with ID: "+id)
		}
		switch r.Method {
		case http.MethodGet:
			return s.list(w, r)
		case http.MethodPost:
			return s.changeBatch(w, r)
		}
	case strings.HasPrefix(path, changePrefix) && r.Method == http.MethodGet:
		return s.getChange(w, strings.TrimPrefix(path, changePrefix))
	}
	return writeError(w, http.StatusNotFound, "Sender", "UnknownOperationException", "Unknown operation "+r.Method+" "+path)
}

// signed checks that the request carries a SigV4 Authorization header for
// the configured access key (the signature is not verified).
func (s *Server) signed(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	return s.accessKey != "" && strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+s.accessKey+"/")
}

func (s *Server) takeFault(isChange bool) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Changes && !isChange {
			continue
		}
		f.Count--
		if f.Count <= 0 {
			s.faults = slices.Delete(s.faults, i, i+1)
		} else {
			s.faults[i] = f
		}
		return f, true
	}
	return Fault{}, false
}

// maxItemsDefault is Route 53's page size when maxitems is not given.
const maxItemsDefault = 300

func (s *Server) list(w http.ResponseWriter, r *http.Request) (int, string) {
	q := r.URL.Query()
	startName, startType := q.Get("name"), strings.ToUpper(q.Get("type"))
	if startType != "" && startName == "" {
		return writeError(w, http.StatusBadRequest, "Sender", "InvalidInput", "The input is not valid: type given without name")
	}
	maxItems := maxItemsDefault
	if v := q.Get("maxitems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return writeError(w, http.StatusBadRequest, "Sender", "InvalidInput", "maxitems must be a positive integer")
		}
		maxItems = min(n, maxItemsDefault)
	}
	all := s.Records()
	start := 0
	if startName != "" {
		name := fqdn(startName)
		start = len(all)
		for i, rs := range all {
			if compareSets(rs.Name, rs.Type, name, startType) >= 0 {
				start = i
				break
			}
		}
	}
	page := all[start:]
	resp := listResponse{Xmlns: Namespace, MaxItems: strconv.Itoa(maxItems)}
	if len(page) > maxItems {
		resp.IsTruncated = true
		resp.NextRecordName, resp.NextRecordType = page[maxItems].Name, page[maxItems].Type
		page = page[:maxItems]
	}
	for _, rs := range page {
		resp.Sets = append(resp.Sets, toXML(rs))
	}
	return writeXML(w, http.StatusOK, resp)
}

func (s *Server) changeBatch(w http.ResponseWriter, r *http.Request) (int, string) {
	var req changeRequest
	if err := xml.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		return writeError(w, http.StatusBadRequest, "Sender", "MalformedInput", "Could not parse the request body: "+err.Error())
	}
	if len(req.Batch.Changes) == 0 {
		return writeError(w, http.StatusBadRequest, "Sender", "InvalidInput", "1 validation error detected: Value null at 'changeBatch.changes' failed to satisfy constraint: Member must not be null")
	}
	s.mu.Lock()
	next := make(map[setKey]RecordSet, len(s.sets))
	for k, v := range s.sets {
		next[k] = v
	}
	var problems []string
	for _, c := range req.Batch.Changes {
		if msg := s.apply(next, c); msg != "" {
			problems = append(problems, msg)
		}
	}
	if len(problems) > 0 {
		s.mu.Unlock()
		return writeInvalidChangeBatch(w, problems)
	}
	s.sets = next
	s.nextID++
	ch := change{id: fmt.Sprintf("C%012dSWITCHYARD", s.nextID), submitted: s.now().UTC(), comment: req.Batch.Comment}
	s.changes[ch.id] = ch
	snap := s.snapshot()
	fns := slices.Clone(s.onChange)
	info := s.info(ch)
	s.mu.Unlock()
	for _, f := range fns {
		f(snap)
	}
	return writeXML(w, http.StatusOK, changeResponse{Xmlns: Namespace, Info: info})
}

// apply applies one change to sets, in batch order, or says why it cannot.
func (s *Server) apply(sets map[setKey]RecordSet, c xmlChange) string {
	rs := fromXML(c.Set)
	where := fmt.Sprintf("[name='%s', type='%s']", rs.Name, rs.Type)
	if rs.Name != s.zoneName && !strings.HasSuffix(rs.Name, "."+s.zoneName) {
		return fmt.Sprintf("RRSet with DNS name %s is not permitted in zone %s", rs.Name, s.zoneName)
	}
	if msg := validate(rs); msg != "" {
		return msg
	}
	key := setKey{rs.Name, rs.Type}
	cur, exists := sets[key]
	switch c.Action {
	case "CREATE":
		if exists {
			return "Tried to create resource record set " + where + " but it already exists"
		}
	case "DELETE":
		if !exists {
			return "Tried to delete resource record set " + where + " but it was not found"
		}
		if cur.TTL != rs.TTL || !sameValues(cur.Values, rs.Values) {
			return "Tried to delete resource record set " + where + " but the values provided do not match the current values"
		}
		delete(sets, key)
		return ""
	case "UPSERT":
	default:
		return fmt.Sprintf("Invalid action %q: expected CREATE, DELETE or UPSERT", c.Action)
	}
	if msg := conflicts(sets, rs); msg != "" {
		return msg
	}
	sets[key] = rs
	return ""
}

// conflicts enforces that a CNAME stands alone at its name.
func conflicts(sets map[setKey]RecordSet, rs RecordSet) string {
	for k := range sets {
		if k.name != rs.Name || k.typ == rs.Type {
			continue
		}
		if rs.Type == "CNAME" || k.typ == "CNAME" {
			return fmt.Sprintf("RRSet of type %s with DNS name %s is not permitted as it conflicts with other records with the same DNS name in zone", rs.Type, rs.Name)
		}
	}
	return ""
}

func (s *Server) getChange(w http.ResponseWriter, id string) (int, string) {
	s.mu.Lock()
	ch, ok := s.changes[id]
	var info xmlChangeInfo
	if ok {
		info = s.info(ch)
	}
	s.mu.Unlock()
	if !ok {
		return writeError(w, http.StatusNotFound, "Sender", "NoSuchChange", "A change with the specified change ID does not exist: "+id)
	}
	return writeXML(w, http.StatusOK, getChangeResponse{Xmlns: Namespace, Info: info})
}

// info is ch as Route 53 reports it: PENDING until SyncDelay has passed.
func (s *Server) info(ch change) xmlChangeInfo {
	status := "INSYNC"
	if s.now().Sub(ch.submitted) < s.syncDelay {
		status = "PENDING"
	}
	return xmlChangeInfo{ID: "/change/" + ch.id, Status: status,
		SubmittedAt: ch.submitted.Format(time.RFC3339Nano), Comment: ch.comment}
}

// compareSets orders record sets as Route 53 lists them: by name with its
// labels reversed (com, example, www), then by type.
func compareSets(aName, aType, bName, bType string) int {
	if c := slices.Compare(reversedLabels(aName), reversedLabels(bName)); c != 0 {
		return c
	}
	return strings.Compare(aType, bType)
}

func reversedLabels(name string) []string {
	l := strings.Split(strings.TrimSuffix(name, "."), ".")
	slices.Reverse(l)
	return l
}

func fqdn(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}

func sameValues(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
