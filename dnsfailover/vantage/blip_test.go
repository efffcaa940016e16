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

// simVantage is one vantage point on clock, alone in a quorum of one (so
// nothing but its own streak stands between a failed check and a switch),
// whose checks of the primary fail at the instants down reports. moved
// reads from the Cloudflare-compatible service whether the record moved.
func simVantage(t *testing.T, clock *simClock, down func(time.Time) bool) (v *vantage.Vantage, moved func() bool) {
	t.Helper()
	const latency = 30 * time.Millisecond // each check's round trip
	cf := cloudflareapi.New(cloudflareapi.Options{Token: token, ZoneName: "example.com"})
	cf.Add(cloudflareapi.Record{Name: record, Type: "CNAME", Content: primary, TTL: 60})
	api := httptest.NewServer(cf.Handler())
	t.Cleanup(api.Close)
	p, err := cloudflare.New(cloudflare.Options{
		APIURL: api.URL + "/client/v4", ZoneID: cf.ZoneID(), Token: token, Record: record, Type: "CNAME", TTL: 60,
	})
	if err != nil {
		t.Fatal(err)
	}
	const id = "aws:us-east-1"
	v = vantage.New(vantage.Options{
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
		FastInterval:  2 * time.Second,
		Now:           clock.Now,
		After:         clock.After,
		Log:           slog.New(slog.DiscardHandler),
	})
	return v, func() bool {
		got, _ := (&harness{cf: cf}).target(t)
		return got != primary
	}
}

// simStart is far enough ahead that a context deadline in simulated time
// never passes in real time.
var simStart = time.Date(2030, 11, 29, 9, 0, 0, 0, time.UTC)

// blipTrial runs a simulated vantage point (interval 10 s, fast 2 s,
// FAIL_AFTER 3) through a primary outage of length blip that starts at a
// uniformly random phase of its probe schedule, and reports whether the
// record moved.
func blipTrial(t *testing.T, rng *rand.Rand, blip time.Duration) bool {
	t.Helper()
	const interval = 10 * time.Second
	// Three healthy rounds, then the outage at a random phase of the next interval.
	outage := simStart.Add(3*interval + time.Duration(rng.Int64N(int64(interval))))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := &simClock{now: simStart, end: outage.Add(blip + 4*interval), stop: cancel}
	v, moved := simVantage(t, clock, func(at time.Time) bool { return !at.Before(outage) && at.Before(outage.Add(blip)) })
	v.Run(ctx, interval)
	return moved()
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

// TestRunUntilStopsRegularRoundsButFinishesAStreak: a Lambda run (90 s
// timeout, 13 s margin, regular rounds until the next run is due plus the
// 10 s hand-over: 70 s) makes its regular rounds at 0…60 s; an outage that
// begins just before its last one is still confirmed by the fast re-checks
// after it, which run on to the margin.
func TestRunUntilStopsRegularRoundsButFinishesAStreak(t *testing.T) {
	const interval, margin = 10 * time.Second, 13 * time.Second
	for _, tt := range []struct {
		name   string
		outage time.Duration // from the run's start; 0: none
		rounds int
		moved  bool
	}{
		{"healthy: regular rounds at 0…60 s", 0, 7, false},
		{"outage at 59 s: re-checks at 62 and 64 s confirm it", 59 * time.Second, 9, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithDeadline(context.Background(), simStart.Add(90*time.Second))
			defer cancel()
			clock := &simClock{now: simStart, end: simStart.Add(time.Hour), stop: cancel}
			v, moved := simVantage(t, clock, func(at time.Time) bool {
				return tt.outage > 0 && !at.Before(simStart.Add(tt.outage))
			})
			rounds := v.RunUntil(ctx, interval, margin, simStart.Add(70*time.Second))
			if len(rounds) != tt.rounds || moved() != tt.moved {
				var at []string
				for _, r := range rounds {
					at = append(at, r.At.Sub(simStart).Round(time.Second).String())
				}
				t.Errorf("%d rounds at %v, moved %v; want %d rounds, moved %v", len(rounds), at, moved(), tt.rounds, tt.moved)
			}
		})
	}
}
