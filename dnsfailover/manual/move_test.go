package manual_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/manual"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
)

func TestMoveAutoRoundTrip(t *testing.T) {
	h := newHarness(t, harnessOptions{state: initialState})

	res, err := h.m.Move(ctx(t), state.Standby, manual.MoveOptions{Reason: "S3 errors", By: "alice"})
	if err != nil {
		t.Fatalf("Move standby: %v", err)
	}
	content, st := h.record(t)
	want := state.State{Active: state.Standby, Gen: 5, Since: h.now, By: "manual:alice", Pinned: true, Reason: "S3 errors"}
	if content != standby || st != want {
		t.Fatalf("after Move standby: record %s, state %+v; want %s, %+v", content, st, standby, want)
	}
	if !res.Changed || res.Before.Target != primary || res.After.Target != standby || res.After.State.Gen != 5 || !res.Check.OK {
		t.Errorf("Move result = %+v", res)
	}

	// Moving where it already is, pinned, writes nothing.
	before := h.batches()
	res, err = h.m.Move(ctx(t), state.Standby, manual.MoveOptions{By: "bob"})
	if err != nil || res.Changed || h.batches() != before {
		t.Fatalf("second Move standby: changed=%v err=%v, %d new batches; want a no-op", res.Changed, err, h.batches()-before)
	}

	// Auto unpins in place: same target, next gen, since kept.
	h.now = h.now.Add(time.Hour)
	if _, err := h.m.Auto(ctx(t), manual.MoveOptions{By: "alice"}); err != nil {
		t.Fatalf("Auto: %v", err)
	}
	content, st = h.record(t)
	want = state.State{Active: state.Standby, Gen: 6, Since: want.Since, By: "manual:alice", Pinned: false, Reason: "manual: handed back to automation"}
	if content != standby || st != want {
		t.Fatalf("after Auto: record %s, state %+v; want %s, %+v", content, st, standby, want)
	}
	before = h.batches()
	if res, err := h.m.Auto(ctx(t), manual.MoveOptions{}); err != nil || res.Changed || h.batches() != before {
		t.Fatalf("second Auto: changed=%v err=%v; want a no-op", res.Changed, err)
	}

	// Back to the primary: pinned again, since moves.
	if _, err := h.m.Move(ctx(t), state.Primary, manual.MoveOptions{By: "alice"}); err != nil {
		t.Fatalf("Move primary: %v", err)
	}
	content, st = h.record(t)
	if content != primary || st.Gen != 7 || !st.Pinned || !st.Since.Equal(h.now) || st.Reason != "manual move to the primary" {
		t.Fatalf("after Move primary: record %s, state %+v", content, st)
	}
	if strings.Contains(h.logs.String(), token) {
		t.Error("the API token appears in the logs")
	}
	if n := strings.Count(h.logs.String(), `"msg":"manual: `); n != 5 {
		t.Errorf("%d manual log lines, want one per action (5):\n%s", n, h.logs)
	}
}

func TestMoveWithoutStateTXT(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	if _, err := h.m.Move(ctx(t), state.Standby, manual.MoveOptions{By: "alice"}); err != nil {
		t.Fatalf("Move: %v", err)
	}
	if content, st := h.record(t); content != standby || st.Gen != 1 || !st.Pinned {
		t.Fatalf("record %s, state %+v; want standby at gen 1, pinned", content, st)
	}
}

func TestMoveRefusedUnlessForced(t *testing.T) {
	h := newHarness(t, harnessOptions{state: initialState})
	h.standby.down.Store(true)

	_, err := h.m.Move(ctx(t), state.Standby, manual.MoveOptions{By: "alice"})
	var refused *manual.RefusedError
	if !errors.As(err, &refused) || refused.To != state.Standby || !strings.Contains(err.Error(), "health check fails right now") {
		t.Fatalf("Move to a down standby: err = %v, want a RefusedError about its check", err)
	}
	if content, st := h.record(t); content != primary || st.Gen != 4 || h.batches() != 0 {
		t.Fatalf("after a refused move: record %s gen %d, %d batches; want untouched", content, st.Gen, h.batches())
	}

	res, err := h.m.Move(ctx(t), state.Standby, manual.MoveOptions{By: "alice", Force: true})
	if err != nil {
		t.Fatalf("forced Move: %v", err)
	}
	if content, st := h.record(t); content != standby || st.Gen != 5 || !res.Forced || res.Check.OK {
		t.Fatalf("after a forced move: record %s gen %d, result %+v", content, st.Gen, res)
	}
}

func TestMoveDryRunAndDeclined(t *testing.T) {
	h := newHarness(t, harnessOptions{state: initialState})
	res, err := h.m.Move(ctx(t), state.Standby, manual.MoveOptions{By: "alice", DryRun: true})
	if err != nil || !res.DryRun || res.Changed || res.After.Target != standby || res.After.State.Gen != 5 || !res.After.State.Pinned {
		t.Fatalf("dry run: %+v, %v; want the planned change, unmade", res, err)
	}

	var shown manual.Result
	_, err = h.m.Move(ctx(t), state.Standby, manual.MoveOptions{By: "alice", Confirm: func(plan manual.Result) error {
		shown = plan
		return &manual.DeclinedError{Why: "answered no"}
	}})
	var declined *manual.DeclinedError
	if !errors.As(err, &declined) || shown.After.Target != standby || shown.After.State.Gen != 5 {
		t.Fatalf("declined: err %v, plan shown %+v", err, shown)
	}
	if content, st := h.record(t); content != primary || st.Gen != 4 || h.batches() != 0 {
		t.Fatalf("after a dry run and a declined move: record %s gen %d, %d batches; want untouched", content, st.Gen, h.batches())
	}
}

func TestRecordAtNeitherTarget(t *testing.T) {
	h := newHarness(t, harnessOptions{content: "elsewhere.example.net", state: initialState})
	var refused *manual.RefusedError
	if _, err := h.m.Move(ctx(t), state.Standby, manual.MoveOptions{}); !errors.As(err, &refused) || !strings.Contains(err.Error(), "neither") {
		t.Fatalf("Move: err = %v, want a RefusedError naming the unexpected target", err)
	}
	if _, err := h.m.Auto(ctx(t), manual.MoveOptions{}); !errors.As(err, &refused) {
		t.Fatalf("Auto: err = %v, want a RefusedError", err)
	}
	if h.batches() != 0 {
		t.Fatal("a refused move wrote")
	}
	if _, err := h.m.Move(ctx(t), state.Standby, manual.MoveOptions{Force: true}); err != nil {
		t.Fatalf("forced Move: %v", err)
	}
	if content, st := h.record(t); content != standby || st.Gen != 5 || !st.Since.Equal(h.now) {
		t.Fatalf("after forced move: record %s, state %+v", content, st)
	}
}

func TestDNSFailureMidWay(t *testing.T) {
	for _, tt := range []struct {
		status int
		want   any
	}{
		{503, new(*manual.DNSError)},
		{403, new(*manual.DNSRejectedError)},
	} {
		h := newHarness(t, harnessOptions{state: initialState})
		h.failBatch.Store(int32(tt.status))
		_, err := h.m.Move(ctx(t), state.Standby, manual.MoveOptions{By: "alice"})
		if err == nil || !errors.As(err, tt.want) {
			t.Fatalf("batch failing with %d: err = %v (%T), want %T", tt.status, err, err, tt.want)
		}
		if content, st := h.record(t); content != primary || st.Gen != 4 || h.batches() != 1 {
			t.Fatalf("batch failing with %d: record %s gen %d after %d batches; want untouched after 1", tt.status, content, st.Gen, h.batches())
		}
		if strings.Contains(err.Error(), token) {
			t.Error("the error shows the API token")
		}
	}
}

func TestByIsCleaned(t *testing.T) {
	h := newHarness(t, harnessOptions{state: initialState})
	long := strings.Repeat("x", 100)
	for who, want := range map[string]string{
		"alice":        "manual:alice",
		`a b"c\d`:      "manual:a_b_c_d",
		"josé":         "manual:jos__",
		"":             "manual:unknown",
		long:           "manual:" + long[:57],
		"tab\there\n!": "manual:tab_here_!",
	} {
		res, err := h.m.Move(ctx(t), state.Standby, manual.MoveOptions{By: who, DryRun: true})
		if err != nil {
			t.Fatalf("by %q: %v", who, err)
		}
		if got := res.After.State.By; got != want {
			t.Errorf("by %q: stored as %q, want %q", who, got, want)
		}
		if err := (state.State{Active: state.Standby, By: res.After.State.By}).Validate(); err != nil {
			t.Errorf("by %q: planned state does not validate: %v", who, err)
		}
	}
}

// A write that committed but whose caller gave up (Ctrl-C, a deadline) is
// reported as done, from a fresh read, never as "unchanged".
func TestWriteCommittedThoughTheCallerGaveUp(t *testing.T) {
	h := newHarness(t, harnessOptions{state: initialState})
	c, cancel := context.WithCancel(ctx(t))
	defer cancel()
	h.cf.OnChange(func(rs []cloudflareapi.Record) {
		// The change that moves the record (the generation claim is
		// created before it).
		for _, r := range rs {
			if r.Name == record && r.Content == standby {
				cancel()
			}
		}
	})
	res, err := h.m.Move(c, state.Standby, manual.MoveOptions{By: "alice"})
	if err != nil || !res.Changed || res.After.Target != standby {
		t.Fatalf("Move = %+v, %v; want the committed change reported", res, err)
	}
	if content, st := h.record(t); content != standby || st.Gen != 5 {
		t.Fatalf("record %s gen %d, want %s gen 5", content, st.Gen, standby)
	}
}

// A state TXT nobody can parse blocks automation and unforced moves; a
// forced move overwrites it and leaves a readable state behind.
func TestForcedMoveOverwritesAnUnreadableState(t *testing.T) {
	h := newHarness(t, harnessOptions{state: "edited by hand"})
	st, err := h.m.Status(ctx(t))
	if err != nil || !strings.Contains(st.Problem, "cannot be read") {
		t.Fatalf("Status = problem %q, %v; want it to say the state cannot be read", st.Problem, err)
	}
	_, err = h.m.Move(ctx(t), state.Standby, manual.MoveOptions{By: "alice"})
	var refused *manual.RefusedError
	if !errors.As(err, &refused) || h.batches() != 0 {
		t.Fatalf("unforced Move: %v after %d batches; want refused and no write", err, h.batches())
	}
	if _, err := h.m.Move(ctx(t), state.Standby, manual.MoveOptions{By: "alice", Force: true}); err != nil {
		t.Fatalf("forced Move: %v", err)
	}
	if content, st := h.record(t); content != standby || st.Gen != 1 || !st.Pinned {
		t.Fatalf("after the forced move: record %s, state %+v; want the standby, gen 1, pinned", content, st)
	}
}
