package vantage_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/scenario"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// TestParityRequiredRefusesFailover plays a real outage in the local world
// while the standby lacks a parity key: every vantage point reports the
// standby failing parity, the quorum agrees the primary is down, and the
// switch is refused, naming the key. The record stays on the primary.
func TestParityRequiredRefusesFailover(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const key = "img/logo.png"
	rec := scenario.NewRecorder(nil)
	w, err := world.Start(ctx, world.Options{Interval: 500 * time.Millisecond, FailAfter: 2, ParityKeys: []string{key}, Events: rec.Record})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var ids []string
	for _, n := range w.Nodes {
		ids = append(ids, n.ID)
	}

	if err := rec.WaitFor(ctx, 0, "two rounds each", scenario.RoundsFromAll(ids, 2)); err != nil {
		t.Fatal(err)
	}
	for _, n := range w.Nodes {
		if p := n.Vantage.Parity(); p == nil || !p.OK || len(p.Objects) != 2 {
			t.Fatalf("%s: parity before the fault = %+v, want the canary and %s the same", n.ID, p, key)
		}
	}

	mark := rec.Mark()
	if err := w.Standby.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	err = rec.WaitFor(ctx, mark, "parity_failed from every vantage point", func(evs []world.Event) bool {
		for _, id := range ids {
			if scenario.Count(evs, scenario.Kind(vantage.EventParityFailed, id)) == 0 {
				return false
			}
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}

	mark = rec.Mark()
	w.Primary.SetDown(true)
	// While the primary is down nothing can be compared: the last known
	// report must stand even when the standby is repaired meanwhile.
	if err := w.Standby.Put(ctx, key, []byte("parity sample "+key+"\n")); err != nil {
		t.Fatal(err)
	}
	err = rec.WaitFor(ctx, mark, "a refusal naming parity", func(evs []world.Event) bool {
		return slices.ContainsFunc(evs, func(e world.Event) bool {
			return e.Kind == vantage.EventRefused && strings.Contains(e.Reason, "standby fails parity") && strings.Contains(e.Reason, key)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := scenario.Count(rec.Since(mark), scenario.Kind(vantage.EventSwitched, "")); n != 0 {
		t.Fatalf("%d switches despite the standby failing parity", n)
	}
	if got := w.CurrentAnswer(); got != world.PrimaryTarget {
		t.Fatalf("DNS answers %s, want the primary %s", got, world.PrimaryTarget)
	}

	// /status shows the failing report.
	resp, err := http.Get(w.Nodes[0].URL + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r vantage.Round
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if r.Parity == nil || r.Parity.OK || !slices.Equal(r.Parity.Failed, []string{key}) {
		t.Fatalf("/status parity = %+v, want %s failing", r.Parity, key)
	}
}
