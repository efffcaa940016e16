package rfc2136

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"

	sydns "github.com/switchyard-dns/switchyard/dnsfailover/dns"
)

// zone is the dns.Zone of one record on an RFC 2136 server.
type zone struct {
	server    string
	zone      string // fully qualified, lower case
	record    string // fully qualified, lower case
	txtName   string // fully qualified
	typ       uint16
	members   []rrsetName // a failover group's other records
	keyName   string      // fully qualified
	algorithm string      // miekg's name, e.g. hmac-sha256.
	client    *dns.Client
	retry     sydns.Retry

	// beforeApply, when set, runs before an UPDATE is sent; tests use it
	// to move the record under a writer.
	beforeApply func()
}

var _ sydns.Zone = (*zone)(nil)

// rrsetName is one RRset Load reads.
type rrsetName struct {
	name string // fully qualified
	typ  uint16
}

// consistentTries bounds how often Load reads again when the zone changed
// while it read.
const consistentTries = 5

// Load reads the record's RRset and the state TXT's with signed queries
// over TCP, between two reads of the zone's SOA serial, which
// every update moves: equal serials mean both RRsets are from the same
// version of the zone, never the record from before a switch beside the
// state from after it.
//
// Each record's ID is its whole RRset as read, in master-file form: the
// prerequisite an Apply must repeat exactly (RFC 2136 §2.4.2 compares whole
// RRsets, and a hand-made second state TXT is part of its RRset).
func (z *zone) Load(ctx context.Context) ([]sydns.Record, error) {
	var out []sydns.Record
	err := z.retry.Do(ctx, "read "+strings.TrimSuffix(z.record, "."), func() error {
		for range consistentTries {
			before, err := z.serial(ctx)
			if err != nil {
				return err
			}
			target, err := z.query(ctx, z.record, z.typ)
			if err != nil {
				return err
			}
			txt, err := z.query(ctx, z.txtName, dns.TypeTXT)
			if err != nil {
				return err
			}
			// A group's members: one query per RRset, inside the same SOA
			// bracket. Queries to the zone's own server cost no API budget
			// (nothing rate-limits them as Cloudflare and Route 53 do).
			var group [][]dns.RR
			for _, m := range z.members {
				rrs, err := z.query(ctx, m.name, m.typ)
				if err != nil {
					return err
				}
				group = append(group, rrs)
			}
			after, err := z.serial(ctx)
			if err != nil {
				return err
			}
			if before == after {
				out = append(records(target), records(txt)...)
				for _, rrs := range group {
					out = append(out, records(rrs)...)
				}
				return nil
			}
		}
		return fmt.Errorf("zone %s changed during each of %d reads: %w", z.zone, consistentTries, sydns.ErrTransient)
	})
	return out, err
}

// records turns one RRset into records, each carrying the whole set as ID.
func records(rrset []dns.RR) []sydns.Record {
	var texts []string
	for _, rr := range rrset {
		texts = append(texts, rr.String())
	}
	id := strings.Join(texts, "\n")
	out := make([]sydns.Record, 0, len(rrset))
	for _, rr := range rrset {
		h := rr.Header()
		out = append(out, sydns.Record{ID: id, Name: strings.TrimSuffix(h.Name, "."), Type: dns.TypeToString[h.Rrtype],
			Content: content(rr), TTL: int(h.Ttl)})
	}
	return out
}

// content is a record's data as switchyard compares and shows it: a host
// name without the final dot, an address, a TXT's raw text.
func content(rr dns.RR) string {
	switch rr := rr.(type) {
	case *dns.CNAME:
		return strings.TrimSuffix(rr.Target, ".")
	case *dns.A:
		return rr.A.String()
	case *dns.AAAA:
		return rr.AAAA.String()
	case *dns.TXT:
		return txtContent(rr)
	}
	return strings.TrimPrefix(rr.String(), rr.Header().String())
}

// serial reads the zone's SOA serial.
func (z *zone) serial(ctx context.Context) (uint32, error) {
	rrs, err := z.query(ctx, z.zone, dns.TypeSOA)
	if err != nil {
		return 0, err
	}
	if len(rrs) != 1 {
		return 0, fmt.Errorf("%s has no SOA record for zone %s: is it the zone's primary server? %w",
			z.server, strings.TrimSuffix(z.zone, "."), sydns.ErrPermanent)
	}
	return rrs[0].(*dns.SOA).Serial, nil
}

// query asks for the RRset name/typ and returns exactly it (empty when the
// name or the type does not exist).
func (z *zone) query(ctx context.Context, name string, typ uint16) ([]dns.RR, error) {
	m := new(dns.Msg)
	m.SetQuestion(name, typ)
	r, err := z.exchange(ctx, m)
	if err != nil {
		return nil, err
	}
	switch r.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
	default:
		return nil, z.rcodeError(r)
	}
	if !r.Authoritative {
		return nil, fmt.Errorf("%s answered without authority for %s: is it a primary server of zone %s? %w",
			z.server, strings.TrimSuffix(name, "."), strings.TrimSuffix(z.zone, "."), sydns.ErrPermanent)
	}
	var out []dns.RR
	for _, rr := range r.Answer {
		h := rr.Header()
		if h.Rrtype == typ && h.Class == dns.ClassINET && strings.EqualFold(h.Name, name) {
			out = append(out, rr)
		}
	}
	return out, nil
}

// exchange sends m signed with the key over a TCP connection of its own
// (miekg/dns would sign a second request on one connection with the first
// one's MAC, as for the messages of a zone transfer, and servers rightly
// answer BADSIG) and checks the answer's signature: an unsigned or badly
// signed answer is not trusted.
func (z *zone) exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
	m.SetTsig(z.keyName, z.algorithm, 300, time.Now().Unix())
	r, _, err := z.client.ExchangeContext(ctx, m, z.server)
	if r != nil {
		if t := r.IsTsig(); t != nil && t.Error != dns.RcodeSuccess {
			return nil, z.tsigError(t.Error)
		}
	}
	if err != nil {
		if errors.Is(err, dns.ErrSig) || errors.Is(err, dns.ErrTime) || errors.Is(err, dns.ErrSecret) || errors.Is(err, dns.ErrKeyAlg) {
			return nil, fmt.Errorf("answer from %s failed TSIG verification with key %s: %v: %w",
				z.server, strings.TrimSuffix(z.keyName, "."), err, sydns.ErrPermanent)
		}
		return nil, z.netError(ctx, err)
	}
	if r.IsTsig() == nil {
		return nil, fmt.Errorf("%s answered %s without a TSIG signature; refusing to trust it: %w",
			z.server, dns.RcodeToString[r.Rcode], sydns.ErrPermanent)
	}
	return r, nil
}

// Apply sends p as one UPDATE message.
//
// Prerequisites (RFC 2136 §2.4.2, "RRset exists, value dependent"): each
// updated record's RRset must be exactly the RRset read (its ID); and
// (§2.4.3) each created record's RRset must not exist. If anything changed
// since the read, the server applies nothing and answers NXRRSET or
// YXRRSET: dns.ErrConflict. This is the compare-and-swap.
//
// Updates: delete each RRset (§2.5.2) and add its new record (§2.5.1).
// That replaces the record's data; it does not delete the user's record.
// The server processes an UPDATE's update section in order (§3.4.2),
// restores the zone as it was if any part of it fails, and makes the whole
// message appear at once to every other update and query (§3.7,
// atomicity). So the name is never without its record, even for an
// instant, and an UPDATE that fails leaves the record and the TXT as they
// were. The RRset is deleted (rather than the RRs read, §2.5.4) only
// because the prerequisites have just pinned it to exactly those RRs.
func (z *zone) Apply(ctx context.Context, p sydns.Plan) error {
	if len(p.Deletes) > 0 {
		return fmt.Errorf("refusing a plan that deletes %d records: RFC 2136 needs no generation claim: %w", len(p.Deletes), sydns.ErrPermanent)
	}
	m := new(dns.Msg)
	m.SetUpdate(z.zone)
	for _, u := range p.Updates {
		old, err := parseRRset(u.Old.ID)
		if err != nil {
			return fmt.Errorf("the RRset read for %s: %w: %w", u.Old.Name, err, sydns.ErrPermanent)
		}
		rr, err := z.rr(u.New)
		if err != nil {
			return err
		}
		m.Used(old)
		m.RemoveRRset([]dns.RR{rr})
		m.Insert([]dns.RR{dns.Copy(rr)})
	}
	for _, c := range p.Creates {
		rr, err := z.rr(c)
		if err != nil {
			return err
		}
		m.RRsetNotUsed([]dns.RR{rr})
		m.Insert([]dns.RR{dns.Copy(rr)})
	}
	if z.beforeApply != nil {
		z.beforeApply()
	}
	r, err := z.exchange(ctx, m)
	if err != nil {
		return err
	}
	switch {
	case r.Rcode == dns.RcodeSuccess:
		return nil
	case prerequisiteFailed(r.Rcode):
		return fmt.Errorf("%s refused the update's prerequisites (%s): the record or its state TXT changed since it was read: %w",
			z.server, dns.RcodeToString[r.Rcode], sydns.ErrConflict)
	}
	return z.rcodeError(r)
}

// rr is rec as an RR to add.
func (z *zone) rr(rec sydns.Record) (dns.RR, error) {
	hdr := dns.RR_Header{Name: canonical(rec.Name), Class: dns.ClassINET, Ttl: uint32(rec.TTL)}
	t := strings.TrimSpace(rec.Content)
	switch strings.ToUpper(rec.Type) {
	case "CNAME":
		if _, ok := dns.IsDomainName(t); ok && t != "" && t != "." {
			hdr.Rrtype = dns.TypeCNAME
			return &dns.CNAME{Hdr: hdr, Target: canonical(t)}, nil
		}
	case "A":
		if a, err := netip.ParseAddr(t); err == nil && a.Is4() {
			hdr.Rrtype = dns.TypeA
			return &dns.A{Hdr: hdr, A: net.IP(a.AsSlice())}, nil
		}
	case "AAAA":
		if a, err := netip.ParseAddr(t); err == nil && a.Is6() && !a.Is4In6() {
			hdr.Rrtype = dns.TypeAAAA
			return &dns.AAAA{Hdr: hdr, AAAA: net.IP(a.AsSlice())}, nil
		}
	case "TXT":
		hdr.Rrtype = dns.TypeTXT
		return &dns.TXT{Hdr: hdr, Txt: []string{escapeTXT(rec.Content)}}, nil
	}
	return nil, fmt.Errorf("invalid change: %q is not a valid %s target for %s: %w", rec.Content, rec.Type, rec.Name, sydns.ErrPermanent)
}

// parseRRset reads back the RRset Load put in a record's ID.
func parseRRset(id string) ([]dns.RR, error) {
	var out []dns.RR
	for line := range strings.SplitSeq(id, "\n") {
		rr, err := dns.NewRR(line)
		if err != nil || rr == nil {
			return nil, fmt.Errorf("cannot parse %q: %v", line, err)
		}
		out = append(out, rr)
	}
	if len(out) == 0 {
		return nil, errors.New("empty RRset")
	}
	return out, nil
}
