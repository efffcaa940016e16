package authdns

import (
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// store is a records source the test can change while the server runs.
type store struct {
	mu   sync.Mutex
	recs []Record
}

func (s *store) get() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.recs)
}

func (s *store) set(recs []Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs = slices.Clone(recs)
}

var long600 = strings.Repeat("0123456789", 60)

func testRecords() []Record {
	return []Record{
		{Name: "example.com", Type: "A", Content: "192.0.2.1", TTL: 1},
		{Name: "assets.example.com.", Type: "CNAME", Content: "primary.example.com", TTL: 60},
		{Name: "primary.example.com", Type: "A", Content: "192.0.2.10", TTL: 120},
		{Name: "primary.example.com", Type: "AAAA", Content: "2001:db8::10", TTL: 120},
		{Name: "ext.example.com", Type: "CNAME", Content: "bucket.s3.amazonaws.com", TTL: 60},
		{Name: "dangling.example.com", Type: "CNAME", Content: "gone.example.com", TTL: 60},
		{Name: "loop1.example.com", Type: "CNAME", Content: "loop2.example.com", TTL: 60},
		{Name: "loop2.example.com", Type: "CNAME", Content: "loop1.example.com", TTL: 60},
		{Name: "_switchyard.assets.example.com", Type: "TXT", Content: `"v=1 active=primary reason=\"4/5 down\""`, TTL: 60},
		{Name: "raw.example.com", Type: "txt", Content: `v=1 reason="x" path=C:\tmp`, TTL: 60},
		{Name: "multi.example.com", Type: "TXT", Content: `"a b" "c"`, TTL: 60},
		{Name: "long.example.com", Type: "TXT", Content: long600, TTL: 60},
		{Name: "deep.sub.example.com", Type: "A", Content: "192.0.2.20", TTL: 60},
		{Name: "bad.example.com", Type: "A", Content: "not-an-ip", TTL: 60},
		{Name: "elsewhere.example.org", Type: "A", Content: "192.0.2.99", TTL: 60},
	}
}

func startServer(t *testing.T, recs func() []Record) *Server {
	t.Helper()
	s, err := Start("127.0.0.1:0", "Example.COM", recs)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func query(t *testing.T, addr, network, name string, qtype uint16) *dns.Msg {
	t.Helper()
	c := &dns.Client{Net: network, Timeout: 5 * time.Second}
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		t.Fatalf("%s %s %s: %v", network, name, dns.TypeToString[qtype], err)
	}
	return r
}

// rrs renders records with single spaces, e.g. "a.example.com. 60 IN A 192.0.2.1".
func rrs(list []dns.RR) []string {
	var out []string
	for _, rr := range list {
		out = append(out, strings.Join(strings.Fields(rr.String()), " "))
	}
	return out
}

func TestAnswers(t *testing.T) {
	st := &store{recs: testRecords()}
	s := startServer(t, st.get)
	soa := "example.com. 60 IN SOA ns.example.com. hostmaster.example.com. 1 600 60 604800 60"

	tests := []struct {
		name   string
		qname  string
		qtype  uint16
		rcode  int
		aa     bool
		answer []string
		ns     []string
	}{
		{"apex A with automatic TTL", "example.com.", dns.TypeA, dns.RcodeSuccess, true,
			[]string{"example.com. 300 IN A 192.0.2.1"}, nil},
		{"apex SOA", "example.com.", dns.TypeSOA, dns.RcodeSuccess, true, []string{soa}, nil},
		{"apex NS synthesized", "example.com.", dns.TypeNS, dns.RcodeSuccess, true,
			[]string{"example.com. 300 IN NS ns.example.com."}, nil},
		{"CNAME chased to A", "assets.example.com.", dns.TypeA, dns.RcodeSuccess, true,
			[]string{"assets.example.com. 60 IN CNAME primary.example.com.", "primary.example.com. 120 IN A 192.0.2.10"}, nil},
		{"CNAME chased to AAAA", "assets.example.com.", dns.TypeAAAA, dns.RcodeSuccess, true,
			[]string{"assets.example.com. 60 IN CNAME primary.example.com.", "primary.example.com. 120 IN AAAA 2001:db8::10"}, nil},
		{"CNAME asked for itself", "assets.example.com.", dns.TypeCNAME, dns.RcodeSuccess, true,
			[]string{"assets.example.com. 60 IN CNAME primary.example.com."}, nil},
		{"CNAME chased to NODATA", "assets.example.com.", dns.TypeTXT, dns.RcodeSuccess, true,
			[]string{"assets.example.com. 60 IN CNAME primary.example.com."}, []string{soa}},
		{"CNAME out of zone is not chased", "ext.example.com.", dns.TypeA, dns.RcodeSuccess, true,
			[]string{"ext.example.com. 60 IN CNAME bucket.s3.amazonaws.com."}, nil},
		{"CNAME to a missing name is NXDOMAIN", "dangling.example.com.", dns.TypeA, dns.RcodeNameError, true,
			[]string{"dangling.example.com. 60 IN CNAME gone.example.com."}, []string{soa}},
		{"CNAME loop ends", "loop1.example.com.", dns.TypeA, dns.RcodeSuccess, true,
			[]string{"loop1.example.com. 60 IN CNAME loop2.example.com.", "loop2.example.com. 60 IN CNAME loop1.example.com."}, nil},
		{"quoted TXT is unquoted", "_switchyard.assets.example.com.", dns.TypeTXT, dns.RcodeSuccess, true,
			[]string{`_switchyard.assets.example.com. 60 IN TXT "v=1 active=primary reason=\"4/5 down\""`}, nil},
		{"raw TXT is taken literally", "raw.example.com.", dns.TypeTXT, dns.RcodeSuccess, true,
			[]string{`raw.example.com. 60 IN TXT "v=1 reason=\"x\" path=C:\\tmp"`}, nil},
		{"multi-string TXT", "multi.example.com.", dns.TypeTXT, dns.RcodeSuccess, true,
			[]string{`multi.example.com. 60 IN TXT "a b" "c"`}, nil},
		{"NODATA", "primary.example.com.", dns.TypeTXT, dns.RcodeSuccess, true, nil, []string{soa}},
		{"NXDOMAIN", "nope.example.com.", dns.TypeA, dns.RcodeNameError, true, nil, []string{soa}},
		{"empty non-terminal is NODATA", "sub.example.com.", dns.TypeA, dns.RcodeSuccess, true, nil, []string{soa}},
		{"case-insensitive, case echoed", "PRIMARY.Example.Com.", dns.TypeA, dns.RcodeSuccess, true,
			[]string{"PRIMARY.Example.Com. 120 IN A 192.0.2.10"}, nil},
		{"outside the zone is REFUSED", "elsewhere.example.org.", dns.TypeA, dns.RcodeRefused, false, nil, nil},
		{"parent of the zone is REFUSED", "com.", dns.TypeSOA, dns.RcodeRefused, false, nil, nil},
		{"unservable record is SERVFAIL", "bad.example.com.", dns.TypeA, dns.RcodeServerFailure, true, nil, nil},
	}
	for _, network := range []string{"udp", "tcp"} {
		for _, tc := range tests {
			t.Run(network+"/"+tc.name, func(t *testing.T) {
				r := query(t, s.Addr(), network, tc.qname, tc.qtype)
				if r.Rcode != tc.rcode {
					t.Errorf("rcode = %s, want %s", dns.RcodeToString[r.Rcode], dns.RcodeToString[tc.rcode])
				}
				if r.Authoritative != tc.aa {
					t.Errorf("AA = %v, want %v", r.Authoritative, tc.aa)
				}
				if got := rrs(r.Answer); !slices.Equal(got, tc.answer) {
					t.Errorf("answer =\n%q\nwant\n%q", got, tc.answer)
				}
				if got := rrs(r.Ns); !slices.Equal(got, tc.ns) {
					t.Errorf("authority =\n%q\nwant\n%q", got, tc.ns)
				}
			})
		}
	}
}

func TestLongTXTIsSplit(t *testing.T) {
	st := &store{recs: testRecords()}
	s := startServer(t, st.get)
	for _, network := range []string{"udp", "tcp"} {
		t.Run(network, func(t *testing.T) {
			// 600 bytes need EDNS over UDP, as dig sends by default.
			c := &dns.Client{Net: network, Timeout: 5 * time.Second}
			m := new(dns.Msg)
			m.SetQuestion("long.example.com.", dns.TypeTXT)
			m.SetEdns0(1232, false)
			r, _, err := c.Exchange(m, s.Addr())
			if err != nil {
				t.Fatal(err)
			}
			if r.IsEdns0() == nil {
				t.Error("reply to an EDNS query has no OPT record")
			}
			if len(r.Answer) != 1 {
				t.Fatalf("answer = %v, want one TXT", r.Answer)
			}
			txt := r.Answer[0].(*dns.TXT).Txt
			var lens []int
			for _, s := range txt {
				lens = append(lens, len(s))
			}
			if !slices.Equal(lens, []int{255, 255, 90}) {
				t.Errorf("string lengths = %v, want [255 255 90]", lens)
			}
			if got := strings.Join(txt, ""); got != long600 {
				t.Errorf("joined TXT differs from the stored content")
			}
		})
	}
}

func TestSerialMovesOnChange(t *testing.T) {
	st := &store{recs: testRecords()}
	s := startServer(t, st.get)
	serial := func() uint32 {
		t.Helper()
		r := query(t, s.Addr(), "udp", "example.com.", dns.TypeSOA)
		if len(r.Answer) != 1 {
			t.Fatalf("SOA answer = %v", r.Answer)
		}
		return r.Answer[0].(*dns.SOA).Serial
	}
	first := serial()
	if again := serial(); again != first {
		t.Errorf("serial moved from %d to %d without a change", first, again)
	}
	recs := testRecords()
	recs[1].Content = "standby.example.com"
	st.set(recs)
	if after := serial(); after <= first {
		t.Errorf("serial after a change = %d, want > %d", after, first)
	}
	// Order alone is not a change.
	slices.Reverse(recs)
	st.set(recs)
	before := serial()
	slices.Reverse(recs)
	st.set(recs)
	if after := serial(); after != before {
		t.Errorf("serial moved from %d to %d when only the order changed", before, after)
	}
}

func TestTruncatedOverUDP(t *testing.T) {
	var recs []Record
	for range 20 {
		recs = append(recs, Record{Name: "big.example.com", Type: "TXT", Content: strings.Repeat("x", 100) + string(rune('a'+len(recs)))})
	}
	s := startServer(t, func() []Record { return recs })
	if r := query(t, s.Addr(), "udp", "big.example.com.", dns.TypeTXT); !r.Truncated {
		t.Errorf("UDP reply of %d answers not truncated", len(r.Answer))
	}
	if r := query(t, s.Addr(), "tcp", "big.example.com.", dns.TypeTXT); r.Truncated || len(r.Answer) != 20 {
		t.Errorf("TCP reply: truncated=%v answers=%d, want all 20", r.Truncated, len(r.Answer))
	}
}

func TestStartRejectsBadInput(t *testing.T) {
	recs := func() []Record { return nil }
	tests := []struct {
		name, addr, zone string
		records          func() []Record
		want             string
	}{
		{"nil records", "127.0.0.1:0", "example.com", nil, "records function is nil"},
		{"empty zone", "127.0.0.1:0", "", recs, `zone ""`},
		{"bad address", "127.0.0.1", "example.com", recs, `listen address "127.0.0.1"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Start(tc.addr, tc.zone, tc.records)
			if err == nil {
				s.Close()
				t.Fatal("Start succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestCloseStopsServing(t *testing.T) {
	s, err := Start("127.0.0.1:0", "example.com", testRecords)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	c := &dns.Client{Net: "tcp", Timeout: 2 * time.Second}
	m := new(dns.Msg)
	m.SetQuestion("example.com.", dns.TypeA)
	if _, _, err := c.Exchange(m, s.Addr()); err == nil {
		t.Error("TCP query after Close succeeded")
	}
}

// TestDig checks the answers with the real dig, as a person would look at them.
func TestDig(t *testing.T) {
	dig, err := exec.LookPath("dig")
	if err != nil {
		t.Skip("dig not installed (apt-get install dnsutils)")
	}
	st := &store{recs: testRecords()}
	s := startServer(t, st.get)
	host, port, _ := strings.Cut(s.Addr(), ":")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"assets.example.com", "A"}, "primary.example.com.\n192.0.2.10"},
		{[]string{"+tcp", "assets.example.com", "A"}, "primary.example.com.\n192.0.2.10"},
		{[]string{"_switchyard.assets.example.com", "TXT"}, `"v=1 active=primary reason=\"4/5 down\""`},
		{[]string{"+tcp", "multi.example.com", "TXT"}, `"a b" "c"`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			args := append([]string{"@" + host, "-p", port, "+short", "+tries=1", "+time=5"}, tc.args...)
			out, err := exec.Command(dig, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("dig %v: %v\n%s", args, err, out)
			}
			if got := strings.TrimSpace(string(out)); got != tc.want {
				t.Errorf("dig %v =\n%s\nwant\n%s", args, got, tc.want)
			}
		})
	}
	t.Run("NXDOMAIN status", func(t *testing.T) {
		out, err := exec.Command(dig, "@"+host, "-p", port, "+tries=1", "+time=5", "nope.example.com", "A").CombinedOutput()
		if err != nil {
			t.Fatalf("dig: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "status: NXDOMAIN") || !strings.Contains(string(out), "flags: qr aa") {
			t.Errorf("dig output lacks NXDOMAIN with aa:\n%s", out)
		}
	})
}
