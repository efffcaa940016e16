package rfc2136

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"

	"github.com/miekg/dns"

	sydns "github.com/switchyard-dns/switchyard/dnsfailover/dns"
)

// Write points the record at c.Target and stores c.State in one UPDATE
// message (see update). It reads first and gives up with dns.ErrStale
// unless the stored generation is c.State.Gen-1, and reads again
// afterwards to check that both changes are there.
//
// An UPDATE that got no answer may have been applied. Retrying it is safe
// (its prerequisites fail once it has been applied), but each retry reads
// again first, so that our own applied change is recognised as done rather
// than reported as stale.
func (p *Provider) Write(ctx context.Context, c sydns.Change) (sydns.Snapshot, error) {
	target, err := p.checkChange(c)
	if err != nil {
		return sydns.Snapshot{}, fmt.Errorf("rfc2136: write %s: %w", p.name, err)
	}
	txt := &dns.TXT{
		Hdr: dns.RR_Header{Name: p.txtName, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: p.ttl},
		Txt: []string{escapeTXT(c.State.Format())},
	}
	for attempt := 0; ; attempt++ {
		cur, err := p.read(ctx)
		if err != nil {
			return sydns.Snapshot{}, fmt.Errorf("rfc2136: write %s: read before writing: %w", p.name, err)
		}
		if cur.badState != nil && !c.OverwriteBadState {
			return sydns.Snapshot{}, fmt.Errorf("rfc2136: write %s: %w", p.name, cur.badState)
		}
		if cur.snap.Holds(c) {
			break // an earlier attempt was applied though its answer was lost
		}
		if gen := cur.snap.State.Gen; gen+1 != c.State.Gen {
			return sydns.Snapshot{}, fmt.Errorf("rfc2136: write %s: stored state is already at gen %d, this change was prepared from gen %d: %w",
				p.name, gen, c.State.Gen-1, sydns.ErrStale)
		}
		if p.beforeUpdate != nil {
			p.beforeUpdate()
		}
		err = p.update(ctx, cur, target, txt)
		if err == nil {
			break
		}
		if errors.Is(err, sydns.ErrStale) || !p.wait(ctx, "update", err, attempt) {
			return sydns.Snapshot{}, fmt.Errorf("rfc2136: write %s: update: %w", p.name, err)
		}
	}
	return p.verify(ctx, c)
}

// update sends the one UPDATE that switches the record and the state TXT.
//
// Prerequisites (RFC 2136 §2.4.2, "RRset exists, value dependent"): the
// record's RRset and the state TXT's RRset must be exactly the RRs read,
// or (§2.4.3) the TXT must not exist when none was read. If anything
// changed since the read, the server applies nothing and answers NXRRSET
// or YXRRSET, which is dns.ErrStale: this is the compare-and-swap.
//
// Updates: delete each RRset (§2.5.2) and add its new RR (§2.5.1). That
// replaces the record's rdata; it does not delete the user's record. The
// server processes an UPDATE's update section in order (§3.4.2), restores
// the zone as it was if any part of it fails, and makes the whole message
// appear at once to every other update and query (§3.7, atomicity). So the name is
// never without its record, even for an instant, and an UPDATE that fails
// leaves the record and the TXT as they were. The RRset is deleted (rather
// than the RRs read, §2.5.4) only because the prerequisites have just
// pinned it to exactly those RRs.
func (p *Provider) update(ctx context.Context, cur current, target, txt dns.RR) error {
	m := new(dns.Msg)
	m.SetUpdate(p.zone)
	m.Used(copyRRs(cur.target))
	if len(cur.txt) > 0 {
		m.Used(copyRRs(cur.txt))
	} else {
		m.RRsetNotUsed([]dns.RR{txt})
	}
	m.RemoveRRset([]dns.RR{target})
	m.Insert([]dns.RR{dns.Copy(target)})
	m.RemoveRRset([]dns.RR{txt})
	m.Insert([]dns.RR{dns.Copy(txt)})
	r, err := p.exchange(ctx, m)
	if err != nil {
		return err
	}
	switch {
	case r.Rcode == dns.RcodeSuccess:
		return nil
	case prerequisiteFailed(r.Rcode):
		return fmt.Errorf("%s refused the update's prerequisites (%s): the record or its state TXT changed since it was read: %w",
			p.server, dns.RcodeToString[r.Rcode], sydns.ErrStale)
	}
	return rcodeError(r, p)
}

// verify reads the record back and checks that the write is there.
func (p *Provider) verify(ctx context.Context, c sydns.Change) (sydns.Snapshot, error) {
	back, err := p.read(ctx)
	if err != nil {
		return sydns.Snapshot{}, fmt.Errorf("rfc2136: write %s: read back: %w", p.name, err)
	}
	if !back.snap.Holds(c) {
		err := fmt.Errorf("rfc2136: write %s: read back %s at gen %d by %s, want %s at gen %d by %s",
			p.name, back.snap.Content, back.snap.State.Gen, back.snap.State.By, c.Target, c.State.Gen, c.State.By)
		if back.snap.State.Gen >= c.State.Gen {
			return sydns.Snapshot{}, fmt.Errorf("%w: %w", err, sydns.ErrStale) // another writer got in after ours
		}
		return sydns.Snapshot{}, err
	}
	p.log.Info("rfc2136: record switched", slog.String("target", back.snap.Content),
		slog.Uint64("gen", back.snap.State.Gen), slog.String("active", string(back.snap.State.Active)))
	return back.snap, nil
}

// checkChange refuses a change that cannot be written correctly and
// returns the record to write.
func (p *Provider) checkChange(c sydns.Change) (dns.RR, error) {
	var errs []error
	hdr := dns.RR_Header{Name: p.record, Rrtype: p.typ, Class: dns.ClassINET, Ttl: p.ttl}
	var rr dns.RR
	t := strings.TrimSpace(c.Target)
	switch p.typ {
	case dns.TypeCNAME:
		if _, ok := dns.IsDomainName(t); !ok || t == "" || t == "." {
			errs = append(errs, fmt.Errorf("target %q is not a host name", c.Target))
		}
		rr = &dns.CNAME{Hdr: hdr, Target: canonical(t)}
	case dns.TypeA:
		a, err := netip.ParseAddr(t)
		if err != nil || !a.Is4() {
			errs = append(errs, fmt.Errorf("target %q is not an IPv4 address", c.Target))
		}
		rr = &dns.A{Hdr: hdr, A: net.IP(a.AsSlice())}
	case dns.TypeAAAA:
		a, err := netip.ParseAddr(t)
		if err != nil || !a.Is6() || a.Is4In6() {
			errs = append(errs, fmt.Errorf("target %q is not an IPv6 address", c.Target))
		}
		rr = &dns.AAAA{Hdr: hdr, AAAA: net.IP(a.AsSlice())}
	}
	if c.State.Gen == 0 {
		errs = append(errs, errors.New("state gen is 0: expected the stored gen plus one (1 for the first switch)"))
	}
	if err := c.State.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("invalid change: %w: %w", err, sydns.ErrPermanent)
	}
	return rr, nil
}

func copyRRs(rrs []dns.RR) []dns.RR {
	out := make([]dns.RR, len(rrs))
	for i, rr := range rrs {
		out[i] = dns.Copy(rr)
	}
	return out
}
