package authdns

import (
	"net"

	"github.com/miekg/dns"
)

// maxChase bounds CNAME chasing inside the zone, so a loop ends.
const maxChase = 8

func (s *Server) serveDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := s.respond(req)
	if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
		size := dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = int(opt.UDPSize())
		}
		m.Truncate(size) // sets TC so the client retries over TCP
	}
	_ = w.WriteMsg(m) // nothing to do for a client that went away
}

// respond builds the reply to one query.
func (s *Server) respond(req *dns.Msg) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Compress = true
	if opt := req.IsEdns0(); opt != nil {
		m.SetEdns0(max(opt.UDPSize(), dns.MinMsgSize), false)
	}
	switch {
	case req.Opcode != dns.OpcodeQuery:
		m.Rcode = dns.RcodeNotImplemented
		return m
	case len(req.Question) != 1:
		m.Rcode = dns.RcodeFormatError
		return m
	}
	q := req.Question[0]
	name := canonical(q.Name)
	if (q.Qclass != dns.ClassINET && q.Qclass != dns.ClassANY) || !dns.IsSubDomain(s.zone, name) {
		m.Rcode = dns.RcodeRefused
		return m
	}
	m.Authoritative = true
	if err := s.load().answer(m, q.Name, q.Qtype); err != nil {
		// A record the store holds cannot be served; say so rather than
		// pretend the name has no data.
		m.Answer, m.Ns = nil, nil
		m.Rcode = dns.RcodeServerFailure
	}
	return m
}

// answer fills m for (owner, qtype) as an authoritative server does: a CNAME
// answers any other type and is followed while its target stays in the zone;
// the final name's data, or NODATA/NXDOMAIN with the SOA in authority.
func (z *zoneData) answer(m *dns.Msg, owner string, qtype uint16) error {
	name := canonical(owner)
	seen := map[string]bool{}
	for range maxChase {
		seen[name] = true
		if cn := z.find(name, "CNAME"); len(cn) > 0 && qtype != dns.TypeCNAME && qtype != dns.TypeANY {
			rr, err := toRR(owner, cn[0])
			if err != nil {
				return err
			}
			m.Answer = append(m.Answer, rr)
			target := canonical(cn[0].Content)
			if !dns.IsSubDomain(z.zone, target) || seen[target] {
				return nil // the resolver follows it elsewhere, or a loop ends here
			}
			name, owner = target, target
			continue
		}
		rrs, err := z.rrset(owner, name, qtype)
		if err != nil {
			return err
		}
		if len(rrs) > 0 {
			m.Answer = append(m.Answer, rrs...)
			return nil
		}
		if !z.exists(name) {
			// RFC 6604: the rcode describes the last name of the chain.
			m.Rcode = dns.RcodeNameError
		}
		m.Ns = []dns.RR{z.soa()}
		return nil
	}
	return nil
}

// rrset is the data at name for qtype, with the SOA and NS synthesized at the
// apex (NS only when the store has none there).
func (z *zoneData) rrset(owner, name string, qtype uint16) ([]dns.RR, error) {
	var out []dns.RR
	for _, r := range z.byName[name] {
		if qtype != dns.TypeANY && dns.StringToType[r.Type] != qtype {
			continue
		}
		rr, err := toRR(owner, r)
		if err != nil {
			return nil, err
		}
		out = append(out, rr)
	}
	if name != z.zone {
		return out, nil
	}
	if qtype == dns.TypeSOA || qtype == dns.TypeANY {
		soa := z.soa()
		soa.Hdr.Name = owner
		out = append(out, soa)
	}
	if (qtype == dns.TypeNS || qtype == dns.TypeANY) && len(z.find(name, "NS")) == 0 {
		out = append(out, &dns.NS{
			Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeNS, Class: dns.ClassINET, Ttl: defaultTTL},
			Ns:  "ns." + z.zone,
		})
	}
	return out, nil
}

// SOA timers: short, because the local world switches records within seconds
// and a resolver in front of us should not cache a NXDOMAIN for long.
const (
	soaTTL     = 60
	soaRefresh = 600
	soaRetry   = 60
	soaExpire  = 604800
	soaMinTTL  = 60
)

func (z *zoneData) soa() *dns.SOA {
	return &dns.SOA{
		Hdr:     dns.RR_Header{Name: z.zone, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: soaTTL},
		Ns:      "ns." + z.zone,
		Mbox:    "hostmaster." + z.zone,
		Serial:  z.serial,
		Refresh: soaRefresh,
		Retry:   soaRetry,
		Expire:  soaExpire,
		Minttl:  soaMinTTL,
	}
}
