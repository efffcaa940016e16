package nameserver_test

import (
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/switchyard-dns/switchyard/infra/local/nameserver"
	"github.com/switchyard-dns/switchyard/infra/local/nameserver/nameservertest"
)

// Each server starts, serves the records it was given and accepts an
// update signed with its key, and refuses one that is not signed.
func TestServersServeAndAcceptSignedUpdates(t *testing.T) {
	for _, kind := range nameserver.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			key := nameservertest.NewKey()
			s := nameservertest.Start(t, kind, key, "assets.example.com. 60 IN CNAME primary.example.net.")
			c := &dns.Client{Net: "tcp", Timeout: 5 * time.Second}

			q := new(dns.Msg)
			q.SetQuestion("assets.example.com.", dns.TypeCNAME)
			r, _, err := c.Exchange(q, s.Addr)
			if err != nil || len(r.Answer) != 1 || r.Answer[0].(*dns.CNAME).Target != "primary.example.net." {
				t.Fatalf("query = %v, %v; want the CNAME from the zone file", r, err)
			}

			add, _ := dns.NewRR("new.example.com. 60 IN A 192.0.2.1")
			u := new(dns.Msg)
			u.SetUpdate("example.com.")
			u.Insert([]dns.RR{add})
			// BIND answers REFUSED, Knot NOTAUTH: both refuse it.
			if r, _, err := c.Exchange(u.Copy(), s.Addr); err != nil || (r.Rcode != dns.RcodeRefused && r.Rcode != dns.RcodeNotAuth) {
				t.Fatalf("unsigned update = %v, %v; want REFUSED or NOTAUTH", r, err)
			}
			c.TsigSecret = map[string]string{key.Name: key.Secret}
			u.SetTsig(key.Name, dns.HmacSHA256, 300, time.Now().Unix())
			if r, _, err := c.Exchange(u, s.Addr); err != nil || r.Rcode != dns.RcodeSuccess {
				t.Fatalf("signed update = %v, %v; want NOERROR", r, err)
			}
		})
	}
}
