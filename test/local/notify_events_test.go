package local

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/manual"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/scenario"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// TestNotifyOncePerEvent plays, against the five vantage points of the
// default world and the same three real receivers as
// TestNotifyOncePerSwitch, every event an outage without a switch tells:
//
//  1. the primary and the standby fail for everyone: the quorum says the
//     primary is down and every vantage point refuses the failover, every
//     round, but only the decider tells, once for the state's generation
//     and cause (standby_unhealthy), however many rounds refuse;
//  2. an operator acknowledges by pinning the record on the primary
//     (`failover primary --force`): a manual event, which resolves the
//     refusal's PagerDuty incident, and ends the refusals (a pinned
//     record is held, not refused);
//  3. both origins heal and the operator puts a short maintenance hold on
//     it (`failover hold --for 2s`): told when it starts and, by the first
//     vantage point by id, once when it runs out on its own.
//
// Each receiver must get each of these exactly once, counted after the
// world is closed (which delivers whatever is still queued), so a second
// message sent late is counted too.
func TestNotifyOncePerEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("a local-world run; skipped with -short")
	}
	rc := &receivers{t: t, key: []byte("webhook signing key, at least 32 bytes long")}
	srv := httptest.NewServer(http.HandlerFunc(rc.serve))
	defer srv.Close()

	o := world.Options{
		Interval:            500 * time.Millisecond,
		Notify:              "slack:" + srv.URL + "/slack,pagerduty:R0UTINGKEY,webhook:" + srv.URL + "/hook",
		NotifyWebhookSecret: string(rc.key),
		PagerDutyURL:        srv.URL + "/v2/enqueue",
		ClientPath:          "off", // as in TestNotifyOncePerSwitch: a refusal here is the standby's health alone
		// While both origins are healthy a vantage point decides on its
		// cached read, so it learns of the hold, and tells of its end, up
		// to SWITCHYARD_DNS_CACHE late (a minute by default): shortened
		// here so that the hold's end comes within seconds.
		DNSCache: 2 * time.Second,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rec := scenario.NewRecorder(func(e world.Event) {
		if e.Kind != vantage.EventRound && e.Kind != vantage.EventRefused && e.Kind != vantage.EventSuspect {
			t.Logf("%s %s %s %s %s", e.At.Format("15:04:05.000"), e.Vantage, e.Kind, e.To, e.Reason)
		}
	})
	o.Events = rec.Record
	w, err := world.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	closeWorld := sync.OnceFunc(w.Close) // closing delivers what is queued
	defer closeWorld()
	st := &scenario.Stage{W: w, R: rec}
	if err := st.Steady(ctx); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(w.Nodes))
	for i, n := range w.Nodes {
		ids[i] = n.ID
	}
	count := func(kind string) int { return strings.Count(","+strings.Join(rc.webhook, ",")+",", ","+kind+",") }

	// 1. Refused, every round, told once.
	mark := rec.Mark()
	st.Inject("primary and standby origins return 503 to everyone", func() {
		w.Standby.SetDown(true)
		w.Primary.SetDown(true)
	})
	if err := rc.wait(ctx, "the refusal at every receiver", func() bool {
		return count("refused") > 0 && len(rc.slack) > 0 && len(rc.pagerduty) > 0
	}); err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	decider := rc.hooks[0].Vantage
	rc.mu.Unlock()
	// Every vantage point goes on refusing, the decider among them: three
	// more refusals each after the first was delivered, all at the same
	// generation, are three more chances to tell it again.
	after := rec.Mark()
	if err := rec.WaitFor(ctx, after, "three more refusals from every vantage point", func(evs []world.Event) bool {
		for _, id := range ids {
			if scenario.Count(evs, scenario.Kind(vantage.EventRefused, id)) < 3 {
				return false
			}
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ids, decider) {
		t.Fatalf("the refusal was told by %q, not a vantage point of the world", decider)
	}
	refusedGen := stateOf(t, w).Gen

	// 2. The operator acknowledges by pinning.
	m, err := assemble.Manual(w.Nodes[0].Config, assemble.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	pin, err := m.Move(ctx, state.Primary, manual.MoveOptions{Force: true, Reason: "acknowledged: the standby is down too", By: "test"})
	if err != nil {
		t.Fatal(err)
	}
	pinGen := pin.After.State.Gen
	if !pin.After.State.Pinned || pinGen != refusedGen+1 {
		t.Fatalf("after the pin: %+v, want pinned at generation %d", pin.After.State, refusedGen+1)
	}
	// Move returns once its notification is delivered (manual.tell).
	if err := rc.wait(ctx, "the pin at the webhook", func() bool { return count("manual") > 0 }); err != nil {
		t.Fatal(err)
	}
	// Every vantage point reads the pin and holds for two rounds: no
	// refusal of a pinned record is told, at this generation or any.
	if err := rec.WaitFor(ctx, rec.Mark(), "two rounds holding the pin from every vantage point", roundsAt(ids, pinGen, 2)); err != nil {
		t.Fatal(err)
	}

	// 3. A short hold, which expires on its own.
	st.Heal("primary and standby origins recover", func() {
		w.Primary.SetDown(false)
		w.Standby.SetDown(false)
	})
	if err := st.Steady(ctx); err != nil {
		t.Fatal(err)
	}
	hold, err := m.Hold(ctx, 2*time.Second, manual.MoveOptions{Reason: "storage maintenance", By: "test"})
	if err != nil {
		t.Fatal(err)
	}
	until := hold.After.State.Until
	if until.IsZero() || hold.After.State.Gen != pinGen+1 {
		t.Fatalf("after the hold: %+v", hold.After.State)
	}
	if err := rc.wait(ctx, "the hold's end at Slack and the webhook", func() bool {
		return count("hold_ended") > 0 && len(rc.slack) >= 4
	}); err != nil {
		t.Fatal(err)
	}
	// Every later round sees the hold ended: three more from every vantage
	// point are three more chances to tell it again.
	if err := st.Rounds(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if n := scenario.Count(rec.Since(mark), scenario.Kind(vantage.EventSwitched, "")); n > 0 {
		t.Errorf("%d switches; none may happen with the standby down, pinned, or both healthy", n)
	}
	closeWorld()

	rc.mu.Lock()
	defer rc.mu.Unlock()
	if want := []string{"refused", "manual", "hold_started", "hold_ended"}; strings.Join(rc.webhook, ",") != strings.Join(want, ",") {
		t.Errorf("webhook got %q, want %q", rc.webhook, want)
	}
	for _, e := range rc.hooks {
		switch e.Event {
		case "refused":
			if e.Cause != "standby_unhealthy" || e.Generation != refusedGen || e.Vantage != decider {
				t.Errorf("refused: %+v, want cause standby_unhealthy at generation %d, told by %s", e, refusedGen, decider)
			}
		case "manual":
			if e.Generation != pinGen || e.Active != "primary" || e.By != "manual:test" {
				t.Errorf("manual: %+v, want the pin on the primary at generation %d by manual:test", e, pinGen)
			}
		case "hold_ended":
			// Told by a vantage point of the world, on a clock on time: not before until.
			if e.At.Before(until) || !e.Until.Equal(until) || e.Generation != pinGen+1 {
				t.Errorf("hold_ended: %+v, want generation %d, until %s, told no earlier", e, pinGen+1, until)
			}
		}
	}
	wantSlack := []string{"failover refused (standby unhealthy)", "operator action, traffic on the primary", "held on the primary until", "maintenance hold ended"}
	if len(rc.slack) != len(wantSlack) {
		t.Errorf("slack got %q, want one message each: %q", rc.slack, wantSlack)
	} else {
		for i, s := range wantSlack {
			if !strings.Contains(rc.slack[i], s) {
				t.Errorf("slack message %d is %q, want it to say %q", i+1, rc.slack[i], s)
			}
		}
	}
	// PagerDuty: the refusal during an outage pages; the operator's pin
	// resolves it, and so does the hold (an operator acted); the hold's
	// end is no incident and is not sent.
	key := "switchyard:" + world.Record
	if want := []string{"trigger " + key, "resolve " + key, "resolve " + key}; strings.Join(rc.pagerduty, ",") != strings.Join(want, ",") {
		t.Errorf("pagerduty got %q, want %q", rc.pagerduty, want)
	}
}

// roundsAt is a WaitFor condition: every vantage point in ids finished n
// rounds that read the state at generation gen.
func roundsAt(ids []string, gen uint64, n int) func([]world.Event) bool {
	return func(evs []world.Event) bool {
		for _, id := range ids {
			if scenario.Count(evs, func(e world.Event) bool {
				return e.Kind == vantage.EventRound && e.Vantage == id && e.Round.Record != nil && e.Round.Record.State.Gen == gen
			}) < n {
				return false
			}
		}
		return true
	}
}

// TestNotifyRefusalOnceWhenTheDeciderIsUnheard: the decider of a refusal
// is the smallest id among the down votes, and each vantage point counts
// the votes it received. When the smallest one's reply to another is lost
// for a round or two, that other one must not tell the refusal as well;
// when the smallest one is dead, another must tell it in its stead. Both
// origins fail, so every vantage point refuses every round.
func TestNotifyRefusalOnceWhenTheDeciderIsUnheard(t *testing.T) {
	if testing.Short() {
		t.Skip("local-world runs; skipped with -short")
	}
	const smallest, next = "aws:eu-west-1", "aws:us-east-1"
	for _, tc := range []struct {
		name   string
		before func(t *testing.T, w *world.World) // before the outage
		// during, when set, runs once next has refused for the first time.
		during   func(w *world.World)
		wantTold string
	}{
		{
			name: "the smallest id's replies to the next are lost at first",
			before: func(t *testing.T, w *world.World) {
				w.Node(next).PeerNet.Refuse(peerHost(t, w, smallest))
			},
			during:   func(w *world.World) { w.Node(next).PeerNet.HealAll() },
			wantTold: smallest,
		},
		{
			name: "the smallest id is dead",
			before: func(t *testing.T, w *world.World) {
				if err := w.Kill(smallest); err != nil {
					t.Fatal(err)
				}
			},
			wantTold: next,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := &receivers{t: t, key: []byte("webhook signing key, at least 32 bytes long")}
			srv := httptest.NewServer(http.HandlerFunc(rc.serve))
			defer srv.Close()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			rec := scenario.NewRecorder(nil)
			w, err := world.Start(ctx, world.Options{
				Interval: 500 * time.Millisecond, ClientPath: "off", Events: rec.Record,
				Notify: "webhook:" + srv.URL + "/hook", NotifyWebhookSecret: string(rc.key),
			})
			if err != nil {
				t.Fatal(err)
			}
			closeWorld := sync.OnceFunc(w.Close)
			defer closeWorld()
			st := &scenario.Stage{W: w, R: rec}
			if err := st.Steady(ctx); err != nil {
				t.Fatal(err)
			}
			tc.before(t, w)
			var alive []string
			for _, n := range w.Nodes {
				if n.ID != smallest || tc.wantTold == smallest {
					alive = append(alive, n.ID)
				}
			}
			mark := rec.Mark()
			st.Inject("primary and standby origins return 503 to everyone", func() {
				w.Standby.SetDown(true)
				w.Primary.SetDown(true)
			})
			if tc.during != nil {
				if err := rec.WaitFor(ctx, mark, "a refusal by "+next, func(evs []world.Event) bool {
					return scenario.Count(evs, scenario.Kind(vantage.EventRefused, next)) > 0
				}); err != nil {
					t.Fatal(err)
				}
				tc.during(w)
			}
			if err := rc.wait(ctx, "the refusal at the webhook", func() bool { return len(rc.hooks) > 0 }); err != nil {
				t.Fatal(err)
			}
			after := rec.Mark()
			if err := rec.WaitFor(ctx, after, "three more refusals from every live vantage point", func(evs []world.Event) bool {
				for _, id := range alive {
					if scenario.Count(evs, scenario.Kind(vantage.EventRefused, id)) < 3 {
						return false
					}
				}
				return true
			}); err != nil {
				t.Fatal(err)
			}
			closeWorld() // delivers what is queued
			rc.mu.Lock()
			defer rc.mu.Unlock()
			var told []string
			for _, e := range rc.hooks {
				told = append(told, e.Event+" by "+e.Vantage)
			}
			if want := []string{"refused by " + tc.wantTold}; !slices.Equal(told, want) {
				t.Errorf("webhook got %q, want %q", told, want)
			}
		})
	}
}

// peerHost is the host:port at which the other vantage points ask id.
func peerHost(t *testing.T, w *world.World, id string) string {
	u, err := url.Parse(w.Node(id).URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}
