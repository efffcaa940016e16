package vantage_test

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns/cloudflare"
	"github.com/switchyard-dns/switchyard/dnsfailover/failover"
	"github.com/switchyard-dns/switchyard/dnsfailover/peers"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/dnsfailover/quorum"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
)

// simClock is a discrete-event clock for one vantage point's Run loop: a
// wait advances it at once, and a check advances it by its latency, so a
// whole trial of simulated minutes runs in milliseconds and every instant
// is exact. When a wait would pass the end, it stops the loop instead.
type simClock struct {
	mu   sync.Mutex
	now  time.Time
	end  time.Time
	stop context.CancelFunc
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *simClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *simClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.Add(d).After(c.end) {
		c.stop()
		return nil // never fires; Run sees ctx end
	}
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

// blipTrial runs one vantage point, alone in a quorum of one (so nothing
// but its own streak stands between a failed check and a switch), through a
// primary outage of length blip that starts at a uniformly random phase of
// its probe schedule. It returns whether the record moved, read from the
// Cloudflare-compatible service.
func blipTrial(t *testing.T, rng *rand.Rand, blip time.Duration) bool {
	t.Helper()
	const (
		interval = 10 * time.Second
		fast     = 2 * time.Second
		latency  = 30 * time.Millisecond // each check's round trip
	)
	cf := cloudflareapi.New(cloudflareapi.Options{Token: token, ZoneName: "example.com"})
	cf.Add(cloudflareapi.Record{Name: record, Type: "CNAME", Content: primary, TTL: 60})
	api := httptest.NewServer(cf.Handler())
	defer api.Close()
	p, err := cloudflare.New(cloudflare.Options{
		APIURL: api.URL + "/client/v4", ZoneID: cf.ZoneID(), Token: token, Record: record, Type: "CNAME", TTL: 60,
	})
	if err != nil {
		t.Fatal(err)
	}

	start := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	// Three healthy rounds, then the outage at a random phase of the next interval.
	outage := start.Add(3*interval + time.Duration(rng.Int64N(int64(interval))))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := &simClock{now: start, end: outage.Add(blip + 4*interval), stop: cancel}
	down := func(at time.Time) bool { return !at.Before(outage) && at.Before(outage.Add(blip)) }

	const id = "aws:us-east-1"
	v := vantage.New(vantage.Options{
		ID: id,
		Primary: func(context.Context) probe.Result {
			at := clock.Now()
			clock.advance(latency) // the check is judged when it was sent
			return probe.Result{Target: primary, OK: !down(at), At: at, Latency: latency}
		},
		Standby: func(context.Context) probe.Result {
			return probe.Result{Target: standby, OK: true, At: clock.Now()}
		},
		PrimaryTarget: primary,
		StandbyTarget: standby,
		DNS:           dns.NewCached(p, time.Minute, clock.Now),
		PeerClient:    &peers.Client{Self: id, Secret: []byte(secret), Timeout: time.Second, Skew: 30 * time.Second},
		Rule:          quorum.Rule{Vantages: []string{id}, Quorum: 1, MinProviders: 1, MaxAge: 30 * time.Second},
		Policy:        failover.Policy{FailAfter: 3, RecoverAfter: 5, Failback: failover.FailbackManual},
		FastInterval:  fast,
		Now:           clock.Now,
		After:         clock.After,
		Log:           slog.New(slog.DiscardHandler),
	})
	v.Run(ctx, interval)
	got, _ := (&harness{cf: cf}).target(t)
	return got != primary
}

// TestBlipsShorterThanTheShortestFailoverNeverSwitch: with FAIL_AFTER 3 and
// fast re-checks every 2 s, FAIL_AFTER failed checks span at least 4 s, so a
// primary outage shorter than that never moves traffic, whatever the phase
// at which it lands, even for a vantage point that needs no peer's word.
// The controls show the same harness does switch: an outage long enough for
// the next regular round and two re-checks always does, and some outages
// just above 4 s do, when they begin right before a check.
func TestBlipsShorterThanTheShortestFailoverNeverSwitch(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 2026))
	const shortest = 4 * time.Second // (FAIL_AFTER-1) x FAST_INTERVAL
	const trials = 250
	for i := range trials {
		blip := time.Duration(1 + rng.Int64N(int64(shortest-1)))
		if blipTrial(t, rng, blip) {
			t.Fatalf("trial %d: a %s outage (shorter than %s) switched the record", i+1, blip, shortest)
		}
	}
	t.Logf("%d outages shorter than %s at random phases: no switch", trials, shortest)

	for i := range 20 {
		// 10 s to the next regular round, 4 s of re-checks, their round trips.
		if blip := 14*time.Second + 100*time.Millisecond; !blipTrial(t, rng, blip) {
			t.Fatalf("control %d: a %s outage did not switch: the trials above prove nothing", i+1, blip)
		}
	}
	switched := 0
	for range 60 {
		if blipTrial(t, rng, shortest+time.Second) {
			switched++
		}
	}
	if switched == 0 {
		t.Errorf("no 5 s outage of 60 switched: the stated shortest outage (%s) is not the real threshold", shortest)
	}
	t.Logf("5 s outages: %d of 60 switched (those that began just before a check)", switched)
}
