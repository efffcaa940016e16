package rfc2136

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	sydns "github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/nameserver"
	"github.com/switchyard-dns/switchyard/infra/local/nameserver/nameservertest"
)

const (
	primary = "primary.example.net"
	standby = "standby.example.org"
)

// server is one real name server under test and its key.
type server struct {
	*nameserver.Server
	key nameserver.Key
}

// eachServer runs fn against a fresh BIND and a fresh Knot serving records.
func eachServer(t *testing.T, records []string, fn func(t *testing.T, s server)) {
	t.Helper()
	for _, kind := range nameserver.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			key := nameservertest.NewKey()
			fn(t, server{nameservertest.Start(t, kind, key, records...), key})
		})
	}
}

var cnameZone = []string{"assets.example.com. 300 IN CNAME " + primary + "."}

// provider returns a provider of the CNAME assets.example.com on s.
func (s server) provider(t *testing.T, edit ...func(*Options)) *Provider {
	t.Helper()
	o := Options{Server: s.Addr, Zone: nameservertest.Zone, KeyName: s.key.Name, Algorithm: s.key.Algorithm,
		Secret: s.key.Secret, Record: "assets.example.com", Type: "CNAME"}
	o.sleep = func(context.Context, time.Duration) error { return nil }
	for _, e := range edit {
		e(&o)
	}
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func at(gen uint64, side state.Side, by string) state.State {
	return state.State{Active: side, Gen: gen, Since: time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC), By: by,
		Reason: `4/5 down (aws,gcp) "quoted" \ back – ünïcode`}
}

func target(side state.Side) string {
	if side == state.Standby {
		return standby
	}
	return primary
}

func TestReadWriteAndStale(t *testing.T) {
	eachServer(t, cnameZone, func(t *testing.T, s server) {
		ctx := context.Background()
		p := s.provider(t)
		got, err := p.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.Content != primary || got.HasState || got.TTL != 300 || got.Type != "CNAME" || got.Name != "assets.example.com" {
			t.Fatalf("first read = %+v; want the zone file's CNAME and no state", got)
		}

		first := sydns.Change{Target: standby, State: at(1, state.Standby, "aws:eu-west-1")}
		back, err := p.Write(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		if !back.Holds(first) || back.State != first.State || back.TTL != DefaultTTL {
			t.Fatalf("read-back = %+v; want exactly the written state (quotes, backslash and UTF-8 intact) at TTL %d", back, DefaultTTL)
		}

		// A second writer that read gen 0 too.
		_, err = p.Write(ctx, sydns.Change{Target: primary, State: at(1, state.Primary, "gcp:europe-west1")})
		if !errors.Is(err, sydns.ErrStale) {
			t.Fatalf("write from an old read: err = %v, want ErrStale", err)
		}
		if got, _ := p.Read(ctx); !got.Holds(first) {
			t.Fatalf("after the stale write: %+v; want the first write untouched", got)
		}

		if _, err := p.Write(ctx, sydns.Change{Target: primary, State: at(2, state.Primary, "manual:ops")}); err != nil {
			t.Fatalf("next generation: %v", err)
		}
		// What the world sees: the server's own answer.
		if got := answer(t, s, "assets.example.com.", dns.TypeCNAME); !slices.Equal(got, []string{primary + "."}) {
			t.Fatalf("server answers %v, want %s", got, primary)
		}
	})
}

// The prerequisites themselves refuse a writer whose read went stale
// between its read and its UPDATE (the generation check in Write cannot
// see that), and nothing of its update is applied.
func TestPrerequisitesRefuseAnUpdateFromAStaleRead(t *testing.T) {
	eachServer(t, cnameZone, func(t *testing.T, s server) {
		ctx := context.Background()
		slow, fast := s.provider(t), s.provider(t)
		won := sydns.Change{Target: standby, State: at(1, state.Standby, "aws:us-east-1")}
		slow.zone.beforeApply = func() {
			slow.zone.beforeApply = nil
			if _, err := fast.Write(ctx, won); err != nil {
				t.Errorf("the other writer: %v", err)
			}
		}
		_, err := slow.Write(ctx, sydns.Change{Target: standby, State: at(1, state.Standby, "gcp:us-central1")})
		if !errors.Is(err, sydns.ErrStale) {
			t.Fatalf("err = %v; want ErrStale", err)
		}
		got, err := fast.Read(ctx)
		if err != nil || !got.Holds(won) || got.State.By != "aws:us-east-1" {
			t.Fatalf("after the refused update: %+v, %v; want the winner's write alone", got, err)
		}
	})
}

// Writers racing from the same read: exactly one wins each generation.
func TestRacingWriters(t *testing.T) {
	const writers, generations = 6, 3
	eachServer(t, cnameZone, func(t *testing.T, s server) {
		ctx := context.Background()
		ps := make([]*Provider, writers)
		for i := range ps {
			ps[i] = s.provider(t)
		}
		for gen := uint64(1); gen <= generations; gen++ {
			side := state.Standby
			if gen%2 == 0 {
				side = state.Primary
			}
			var wg sync.WaitGroup
			errs := make([]error, writers)
			start := make(chan struct{})
			for i, p := range ps {
				wg.Go(func() {
					<-start
					_, errs[i] = p.Write(ctx, sydns.Change{Target: target(side), State: at(gen, side, fmt.Sprintf("w:%d", i))})
				})
			}
			close(start)
			wg.Wait()
			var winners []int
			for i, err := range errs {
				switch {
				case err == nil:
					winners = append(winners, i)
				case !errors.Is(err, sydns.ErrStale):
					t.Fatalf("gen %d writer %d: %v; want success or ErrStale", gen, i, err)
				}
			}
			got, err := ps[0].Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(winners) != 1 || got.State.Gen != gen || got.State.By != fmt.Sprintf("w:%d", winners[0]) {
				t.Fatalf("gen %d: winners %v, stored %+v; want exactly one, stored", gen, winners, got.State)
			}
		}
	})
}

// Other records at the switched name and elsewhere stay as they were.
func TestNeverDeletesUserRecords(t *testing.T) {
	zone := []string{
		"assets.example.com. 60 IN A 192.0.2.1",
		"assets.example.com. 60 IN AAAA 2001:db8::1",
		`assets.example.com. 60 IN TXT "google-site-verification=abc"`,
		"assets.example.com. 60 IN MX 10 mail.example.com.",
		"www.example.com. 60 IN A 192.0.2.9",
	}
	eachServer(t, zone, func(t *testing.T, s server) {
		ctx := context.Background()
		p := s.provider(t, func(o *Options) { o.Type = "A" })
		for gen, ip := range []string{"198.51.100.7", "192.0.2.1", "198.51.100.7"} {
			side := state.Standby
			if gen%2 == 1 {
				side = state.Primary
			}
			if _, err := p.Write(ctx, sydns.Change{Target: ip, State: at(uint64(gen+1), side, "manual:ops")}); err != nil {
				t.Fatal(err)
			}
		}
		for _, want := range []struct {
			name string
			typ  uint16
			rd   string
		}{
			{"assets.example.com.", dns.TypeA, "198.51.100.7"},
			{"assets.example.com.", dns.TypeAAAA, "2001:db8::1"},
			{"assets.example.com.", dns.TypeTXT, `"google-site-verification=abc"`},
			{"assets.example.com.", dns.TypeMX, "10 mail.example.com."},
			{"www.example.com.", dns.TypeA, "192.0.2.9"},
		} {
			if got := answer(t, s, want.name, want.typ); !slices.Equal(got, []string{want.rd}) {
				t.Errorf("%s %s = %v, want [%s]", want.name, dns.TypeToString[want.typ], got, want.rd)
			}
		}
	})
}

func TestUnparsableStateIsOnlyOverwrittenWhenForced(t *testing.T) {
	zone := append(slices.Clone(cnameZone), `_switchyard.assets.example.com. 60 IN TXT "edited by hand"`)
	eachServer(t, zone, func(t *testing.T, s server) {
		ctx := context.Background()
		p := s.provider(t)
		got, err := p.Read(ctx)
		var bad *sydns.BadStateError
		if !errors.As(err, &bad) || !errors.Is(err, sydns.ErrPermanent) || got.Content != primary {
			t.Fatalf("read = %+v, %v; want the record with a BadStateError", got, err)
		}
		c := sydns.Change{Target: standby, State: at(1, state.Standby, "manual:ops")}
		if _, err := p.Write(ctx, c); !errors.As(err, &bad) {
			t.Fatalf("unforced write: %v; want BadStateError", err)
		}
		c.OverwriteBadState = true
		if back, err := p.Write(ctx, c); err != nil || !back.Holds(c) {
			t.Fatalf("forced write = %+v, %v", back, err)
		}
		if got := answer(t, s, "_switchyard.assets.example.com.", dns.TypeTXT); len(got) != 1 {
			t.Fatalf("state TXT RRset = %v; want the one written record", got)
		}
	})
}

// Several state TXT records (made by hand): the highest generation is
// read, and a write replaces them all with one.
func TestSeveralStateRecords(t *testing.T) {
	zone := append(slices.Clone(cnameZone),
		`_switchyard.assets.example.com. 60 IN TXT "v=1 active=primary gen=3 pinned=0 reason=\"\""`,
		`_switchyard.assets.example.com. 60 IN TXT "v=1 active=primary gen=5 pinned=0 reason=\"\""`)
	eachServer(t, zone, func(t *testing.T, s server) {
		ctx := context.Background()
		p := s.provider(t)
		got, err := p.Read(ctx)
		if err != nil || got.State.Gen != 5 {
			t.Fatalf("read = %+v, %v; want gen 5", got, err)
		}
		if _, err := p.Write(ctx, sydns.Change{Target: standby, State: at(6, state.Standby, "manual:ops")}); err != nil {
			t.Fatal(err)
		}
		if got := answer(t, s, "_switchyard.assets.example.com.", dns.TypeTXT); len(got) != 1 {
			t.Fatalf("state TXT RRset = %v; want one record", got)
		}
	})
}

func TestServerErrors(t *testing.T) {
	eachServer(t, cnameZone, func(t *testing.T, s server) {
		ctx := context.Background()
		tests := []struct {
			name string
			edit func(*Options)
			want string
		}{
			{"wrong secret", func(o *Options) { o.Secret = "d3Jvbmcgc2VjcmV0IG9mIDMyIGJ5dGVzIGxvbmchIQ==" }, "BADSIG"},
			{"unknown key", func(o *Options) { o.KeyName = "nobody" }, "BADKEY"},
			{"no such record", func(o *Options) { o.Record = "missing.example.com" }, "found 0 CNAME records"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p := s.provider(t, tt.edit)
				_, err := p.Read(ctx)
				if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, sydns.ErrPermanent) {
					t.Fatalf("err = %v; want a permanent error saying %s", err, tt.want)
				}
				if strings.Contains(err.Error(), s.key.Secret) {
					t.Fatal("the error shows the secret")
				}
			})
		}
	})
}

func TestUnreachableServerIsRetriedThenReported(t *testing.T) {
	key := nameservertest.NewKey()
	s := server{&nameserver.Server{Addr: "127.0.0.1:1"}, key}
	var waits int
	p := s.provider(t, func(o *Options) {
		o.MaxRetries = 2
		o.sleep = func(context.Context, time.Duration) error { waits++; return nil }
	})
	_, err := p.Read(context.Background())
	var ne *netError
	if !errors.As(err, &ne) || waits != 2 {
		t.Fatalf("err = %v after %d waits; want a network error after 2 retries", err, waits)
	}
}

func TestNewValidatesOptions(t *testing.T) {
	_, err := New(Options{Server: "ns1.example.com:x53:1", Zone: "example..com", KeyName: "", Algorithm: "hmac-md5",
		Secret: "not base64!", Record: "assets.example.org", Type: "MX", TTL: -1})
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"option Server", "option Zone", "option KeyName", "option Algorithm", "option Secret is not base64", "option Type", "option TTL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "not base64!") {
		t.Error("the error shows the secret")
	}
	_, err = New(Options{Server: "ns1.example.com", Zone: "example.com", KeyName: "k", Secret: "c2VjcmV0",
		Record: "assets.example.org", Type: "CNAME"})
	if err == nil || !strings.Contains(err.Error(), `option Record "assets.example.org" is not in option Zone "example.com"`) {
		t.Fatalf("err = %v; want the record outside the zone named", err)
	}
	p, err := New(Options{Server: "ns1.example.com", Zone: "Example.COM.", KeyName: "k", Secret: "c2VjcmV0",
		Record: "Assets.example.com", Type: "cname"})
	if err != nil || p.zone.server != "ns1.example.com:53" || p.zone.record != "assets.example.com." || p.zone.algorithm != dns.HmacSHA256 {
		t.Fatalf("New = %+v, %v; want port 53, hmac-sha256 and canonical names by default", p, err)
	}
}

// A target that is not of the record's type is refused before anything
// is sent, and names the target.
func TestInvalidTarget(t *testing.T) {
	zone := []string{"assets.example.com. 60 IN A 192.0.2.1"}
	eachServer(t, zone, func(t *testing.T, s server) {
		p := s.provider(t, func(o *Options) { o.Type = "A" })
		_, err := p.Write(context.Background(), sydns.Change{Target: "primary.example.net", State: at(1, state.Standby, "manual:ops")})
		if !errors.Is(err, sydns.ErrPermanent) || !strings.Contains(err.Error(), `"primary.example.net" is not a valid A target`) {
			t.Fatalf("err = %v; want the bad target named", err)
		}
		if got := answer(t, s, "assets.example.com.", dns.TypeA); !slices.Equal(got, []string{"192.0.2.1"}) {
			t.Fatalf("A = %v; want it untouched", got)
		}
	})
}

func TestTXTEscaping(t *testing.T) {
	raw := `v=1 reason="a \"b\" \\ ü"`
	rr := &dns.TXT{Hdr: dns.RR_Header{Name: "x.", Rrtype: dns.TypeTXT, Class: dns.ClassINET}, Txt: []string{escapeTXT(raw)}}
	buf := make([]byte, 512)
	n, err := dns.PackRR(rr, buf, 0, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	back, _, err := dns.UnpackRR(buf[:n], 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := txtContent(back.(*dns.TXT)); got != raw {
		t.Fatalf("round trip = %q, want %q", got, raw)
	}
}

// answer asks s (unsigned, as the world does) for name/typ and returns the
// answer's rdata.
func answer(t *testing.T, s server, name string, typ uint16) []string {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, typ)
	r, _, err := (&dns.Client{Net: "tcp", Timeout: 5 * time.Second}).Exchange(m, s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, rr := range r.Answer {
		if rr.Header().Rrtype == typ {
			out = append(out, strings.TrimPrefix(rr.String(), rr.Header().String()))
		}
	}
	return out
}
