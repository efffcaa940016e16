package route53

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/route53api"
)

const (
	accessKey = "AKIDSWITCHYARDTEST"
	secretKey = "route53-test-secret-MUST-NOT-LEAK"
	primary   = "primary.example.net"
	standby   = "standby.example.org"
)

// newProvider returns a provider of assets.example.com on the service at
// url, signing with static test credentials, retrying without delay.
func newProvider(t testing.TB, url, zoneID, typ string, edit ...func(*Options)) *Provider {
	t.Helper()
	o := Options{HostedZoneID: zoneID, Record: "assets.example.com", Type: typ, TTL: 60, Endpoint: url,
		Credentials: credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""), SyncPoll: time.Millisecond,
		Backoff: time.Millisecond}
	for _, e := range edit {
		e(&o)
	}
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// world is the service holding a CNAME assets.example.com -> primary.
func world(t *testing.T, o route53api.Options) (*route53api.Server, string) {
	t.Helper()
	o.AccessKey = accessKey
	api := route53api.New(o)
	api.Put(route53api.RecordSet{Name: "assets.example.com", Type: "CNAME", TTL: 300, Values: []string{primary}})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return api, srv.URL
}

func standbyAt(gen uint64) state.State {
	return state.State{Active: state.Standby, Gen: gen, Since: time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC),
		By: "aws:eu-west-1", Reason: `4/5 down – "ünïcode" \ ok`}
}

func TestWriteIsOneBatchAndWaitsForInSync(t *testing.T) {
	clock := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	api, url := world(t, route53api.Options{SyncDelay: 30 * time.Second, Now: now})
	polls := 0
	p := newProvider(t, url, api.ZoneID(), "CNAME", func(o *Options) {
		o.sleep = func(context.Context, time.Duration) error {
			polls++
			clock = clock.Add(10 * time.Second) // the change is INSYNC on the fourth GetChange
			return nil
		}
	})
	c := dns.Change{Target: standby, State: standbyAt(1)}
	back, err := p.Write(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Holds(c) || back.State != c.State || back.Pending {
		t.Fatalf("read-back = %+v; want the change, reason intact, in sync", back)
	}
	var changes, gets int
	for _, call := range api.Calls() {
		switch {
		case call.Method == "POST":
			changes++
		case strings.HasPrefix(call.Path, "/2013-04-01/change/"):
			gets++
		}
	}
	if changes != 1 || gets != 4 || polls != 3 {
		t.Fatalf("%d change batches, %d GetChange, %d polls; want 1 batch, GetChange until INSYNC (4)", changes, gets, polls)
	}
}

func TestStillPendingIsReportedNotFailed(t *testing.T) {
	api, url := world(t, route53api.Options{SyncDelay: time.Hour})
	p := newProvider(t, url, api.ZoneID(), "CNAME", func(o *Options) { o.SyncTimeout = 20 * time.Millisecond })
	back, err := p.Write(context.Background(), dns.Change{Target: standby, State: standbyAt(1)})
	if err != nil || !back.Pending || back.Content != standby {
		t.Fatalf("Write = %+v, %v; want the switch done and reported PENDING", back, err)
	}
}

// A batch prepared from a read that went stale before it was sent is
// refused whole by Route 53's exact-match DELETE.
func TestStaleBatchIsRefusedWhole(t *testing.T) {
	api, url := world(t, route53api.Options{})
	slow, fast := newProvider(t, url, api.ZoneID(), "CNAME"), newProvider(t, url, api.ZoneID(), "CNAME")
	won := dns.Change{Target: standby, State: standbyAt(1)}
	won.State.By = "aws:us-east-1"
	slow.zone.beforeApply = func() {
		slow.zone.beforeApply = nil
		if _, err := fast.Write(context.Background(), won); err != nil {
			t.Errorf("the other writer: %v", err)
		}
	}
	_, err := slow.Write(context.Background(), dns.Change{Target: standby, State: standbyAt(1)})
	if !errors.Is(err, dns.ErrStale) {
		t.Fatalf("err = %v; want ErrStale", err)
	}
	refused := 0
	for _, c := range api.Calls() {
		if c.Code == "InvalidChangeBatch" {
			refused++
		}
	}
	if refused != 1 {
		t.Fatalf("%d change batches refused with InvalidChangeBatch, want the stale one", refused)
	}
	got, _ := fast.Read(context.Background())
	if !got.Holds(won) || got.State.By != "aws:us-east-1" {
		t.Fatalf("after the refused batch: %+v; want the winner alone", got)
	}
}

func TestThrottlingAndPriorRequestAreRetried(t *testing.T) {
	for _, f := range []route53api.Fault{
		{Status: 400, Code: "Throttling", Count: 2, Changes: true},
		{Status: 400, Code: "PriorRequestNotComplete", Count: 2, Changes: true},
		{Status: 500, Code: "InternalFailure", Count: 2},
	} {
		t.Run(f.Code, func(t *testing.T) {
			api, url := world(t, route53api.Options{})
			p := newProvider(t, url, api.ZoneID(), "CNAME")
			api.FailNext(f)
			if _, err := p.Write(context.Background(), dns.Change{Target: standby, State: standbyAt(1)}); err != nil {
				t.Fatalf("after %d × %s: %v; want the retry to succeed", f.Count, f.Code, err)
			}
		})
	}
}

func TestPermanentErrors(t *testing.T) {
	api, url := world(t, route53api.Options{})
	tests := []struct {
		name string
		p    *Provider
		want string
	}{
		{"unknown zone", newProvider(t, url, "ZNOSUCHZONE", "CNAME"), "NoSuchHostedZone"},
		{"wrong access key", newProvider(t, url, api.ZoneID(), "CNAME", func(o *Options) {
			o.Credentials = credentials.NewStaticCredentialsProvider("AKIDOTHER", secretKey, "")
		}), "InvalidClientTokenId"},
		{"no such record", newProvider(t, url, api.ZoneID(), "A"), "found 0 A records named assets.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.p.Read(context.Background())
			if err == nil || !errors.Is(err, dns.ErrPermanent) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v; want a permanent error saying %s", err, tt.want)
			}
			if strings.Contains(err.Error(), secretKey) {
				t.Fatal("the error shows the secret key")
			}
		})
	}
}

func TestNewValidatesOptions(t *testing.T) {
	_, err := New(Options{HostedZoneID: "Z1/../x", Record: "a b", Type: "MX", TTL: -1, Endpoint: "route53.local",
		Credentials: credentials.NewStaticCredentialsProvider(accessKey, secretKey, "")})
	for _, want := range []string{"option HostedZoneID", "option Record", "option Type", "option TTL", "option Endpoint"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v; want it to name %s", err, want)
		}
	}
}

func TestTXTEncoding(t *testing.T) {
	raw := `v=1 reason="a \"b\" \\ ü"`
	if got := decodeTXT(encodeTXT(raw)); got != raw {
		t.Fatalf("round trip = %q, want %q", got, raw)
	}
	if got := decodeTXT(`"v=1 " "active=primary"`); got != "v=1 active=primary" {
		t.Fatalf("split strings = %q", got)
	}
}
