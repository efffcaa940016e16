package vantage_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
)

// together runs one round on every node at once, as vantage points whose
// schedules share a phase do. The origins answer after 50 ms, so every
// vantage point's request for votes reaches its peers before any of them
// has its own verdict: the same round, as the local world plays it.
func (h *harness) together() []vantage.Round {
	h.primary.delay.Store(int64(50 * time.Millisecond))
	h.standby.delay.Store(int64(50 * time.Millisecond))
	rounds := make([]vantage.Round, len(h.nodes))
	var wg sync.WaitGroup
	for i, n := range h.nodes {
		wg.Go(func() { rounds[i] = n.v.RunRound(context.Background()) })
	}
	wg.Wait()
	return rounds
}

// batches counts the write batches the Cloudflare-compatible service was sent.
func (h *harness) batches() int {
	n := 0
	for _, c := range h.cf.Calls() {
		if c.Method == "POST" && strings.HasSuffix(c.Path, "/dns_records/batch") {
			n++
		}
	}
	return n
}

// first is the smallest vantage id, the one that writes at once.
func first() string {
	f := ids[0]
	for _, id := range ids {
		f = min(f, id)
	}
	return f
}

// TestOneWriterPerSwitch: four vantage points reach the verdict in the same
// round; the first by id writes, the three others confirm by reading, so
// the DNS API sees one batch, not four with three refused as stale.
func TestOneWriterPerSwitch(t *testing.T) {
	h := newHarnessWith(t, manual, false, nil, func(o *vantage.Options) { o.Settle = 200 * time.Millisecond })
	h.primary.down.Store(true)
	h.together()
	rounds := h.together()
	switched := 0
	for _, r := range rounds {
		if r.Switched {
			switched++
		}
		if r.Active != state.Standby || r.Error != "" {
			t.Errorf("%s: active %q, error %q; want every vantage point to end on the standby", r.Vantage, r.Active, r.Error)
		}
	}
	if got, w := h.batches(), h.writers(); got != 1 || switched != 1 || w != 1 {
		t.Fatalf("%d batches sent, %d vantage points wrote, %d switched; want one of each", got, w, switched)
	}
	if _, txt := h.target(t); len(txt) != 1 || !strings.Contains(txt[0].Content, "by="+first()) {
		t.Errorf("state %v, want the switch written by %s, first by id", txt, first())
	}
}

// TestOneWriterPerSwitchSurvivesTheFirstWriter: the vantage point first by
// id asks for votes and then writes nothing (here: a dry run; in life, it
// died or lost its network after asking). The next by id writes one wait
// later, still in one batch: no switch depends on one vantage point.
func TestOneWriterPerSwitchSurvivesTheFirstWriter(t *testing.T) {
	h := newHarnessWith(t, manual, false, nil, func(o *vantage.Options) {
		o.Settle = 200 * time.Millisecond
		o.DryRun = o.ID == first()
	})
	h.primary.down.Store(true)
	h.together()
	h.together()
	if got := h.batches(); got != 1 {
		t.Fatalf("%d batches sent, want one", got)
	}
	content, txt := h.target(t)
	if content != standby || len(txt) != 1 || strings.Contains(txt[0].Content, "by="+first()) {
		t.Errorf("record %s, state %v: want the standby, written by another vantage point than %s", content, txt, first())
	}
}

// writers counts the vantage points that sent a write, from their events:
// a switch, or a write refused because another came first. Confirming a
// peer's switch by reading is not a write.
func (h *harness) writers() int {
	n := 0
	for {
		select {
		case e := <-h.events:
			if e.Kind == vantage.EventSwitched || (e.Kind == vantage.EventStale && !strings.HasPrefix(e.Reason, "confirmed ")) {
				n++
			}
		default:
			return n
		}
	}
}

// TestWithoutSettleEveryVantageWrites is the control: the same round with
// Settle off has every vantage point that reaches the verdict write (the
// API refuses all but the first, whether at its read or its batch).
func TestWithoutSettleEveryVantageWrites(t *testing.T) {
	h := newHarness(t, manual, false)
	h.primary.down.Store(true)
	h.together()
	h.together()
	if got := h.writers(); got < 2 {
		t.Errorf("%d vantage points wrote without Settle; the tests above cannot tell one writer from several", got)
	}
}
