package manual

import (
	"context"
	"errors"
	"fmt"
	"github.com/switchyard-dns/switchyard/dnsfailover/notify"
	"strings"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// MoveOptions shape Move and Auto.
type MoveOptions struct {
	Reason string // why, stored in the state TXT; empty: a default naming the action
	Force  bool   // move even when the target's check fails or the record is in an unexpected state
	DryRun bool   // work out the change and report it, but do not write
	// By names the operator, e.g. a login name; it is stored as manual:<By>,
	// cleaned to fit the state TXT's by rule.
	By string
	// Confirm, when set, is shown the planned change before it is written
	// and may stop it by returning an error (*DeclinedError). It is not
	// called for a dry run or when there is nothing to change.
	Confirm func(plan Result) error
}

// Result is what an operation found and did.
type Result struct {
	Action  string        `json:"action"` // status, standby, primary or auto
	Record  string        `json:"record"`
	Before  View          `json:"before"`
	After   View          `json:"after"` // for a dry run: what would be written
	Changed bool          `json:"changed"`
	DryRun  bool          `json:"dry_run,omitempty"`
	Forced  bool          `json:"forced,omitempty"`
	Check   *probe.Result `json:"check,omitempty"` // the target's check, run just before the move
	Note    string        `json:"note,omitempty"`  // in words: what happened
	Status  *Report       `json:"status,omitempty"`
}

// Move points the record at side's target and pins it there, so automation
// leaves it alone until Auto. It refuses with *RefusedError, unless
// o.Force, when side's check fails right now or when the record is in a
// state automation would not touch (pointing at neither target, or
// disagreeing with its state TXT). The target and the new state (one
// generation on, pinned, by manual:<o.By>, o.Reason) are one write.
func (m *Manual) Move(ctx context.Context, side state.Side, o MoveOptions) (Result, error) {
	action := string(side)
	if side != state.Primary && side != state.Standby {
		return Result{}, &InputError{Msg: fmt.Sprintf("cannot move to %q: want primary or standby", side)}
	}
	snap, cur, problem, err := m.read(ctx)
	if err != nil {
		return m.done(action, o, Result{}, err)
	}
	target := m.target(side)
	res := Result{Action: action, Record: snap.Name, Before: m.view(snap.Content, snap.HasState || problem == "", cur), Forced: o.Force}
	check := m.check(ctx, side)
	res.Check = &check
	switch {
	case !check.OK && !o.Force:
		return m.done(action, o, res, &RefusedError{Action: action, To: side, Target: target, Why: "its health check fails right now: " + check.Reason})
	case problem != "" && !o.Force:
		return m.done(action, o, res, &RefusedError{Action: action, To: side, Target: target, Why: problem})
	case problem == "" && cur.Active == side && cur.Pinned:
		res.After, res.Note = res.Before, fmt.Sprintf("already on the %s and pinned; nothing to change", side)
		return m.done(action, o, res, nil)
	}
	reason := o.Reason
	if reason == "" {
		reason = "manual move to the " + action
	}
	o.Reason = reason // logged as stored
	if problem != "" {
		// Forced over a record nobody's state describes: Next must see a
		// different side so that since says when traffic moved.
		cur.Active = ""
	}
	next := cur.Next(side, by(o.By), reason, true, m.o.Now())
	change := dns.Change{Target: target, State: next, OverwriteBadState: o.Force}
	if !o.Force {
		// Refuse, rather than overwrite, a record re-pointed meanwhile by
		// someone else; a forced move overwrites whatever is there.
		change.From = snap.Content
	}
	return m.write(ctx, o, res, change,
		fmt.Sprintf("moved to the %s and pinned: automation leaves it there until `failover auto`", side))
}

// Auto clears the pin and hands the record back to automation: same target,
// one generation on, pinned=0. The vantage points then fail over or back by
// the configured policy. A record pointing at neither target, or with a
// state that disagrees with it, is refused (automation would not touch it
// either); move it with primary or standby first.
func (m *Manual) Auto(ctx context.Context, o MoveOptions) (Result, error) {
	const action = "auto"
	snap, cur, problem, err := m.read(ctx)
	if err != nil {
		return m.done(action, o, Result{}, err)
	}
	res := Result{Action: action, Record: snap.Name, Before: m.view(snap.Content, snap.HasState || problem == "", cur)}
	switch {
	case problem != "":
		return m.done(action, o, res, &RefusedError{Action: action, Target: snap.Content,
			Why: problem + "; move it with primary or standby first"})
	case !cur.Pinned:
		res.After, res.Note = res.Before, "not pinned: automation is already in control; nothing to change"
		return m.done(action, o, res, nil)
	}
	reason := o.Reason
	if reason == "" {
		reason = "manual: handed back to automation"
	}
	o.Reason = reason
	next := cur.Next(cur.Active, by(o.By), reason, false, m.o.Now())
	return m.write(ctx, o, res, dns.Change{Target: snap.Content, State: next, From: snap.Content},
		fmt.Sprintf("unpinned on the %s: automation is in control again (failback %s)", cur.Active, m.o.Failback))
}

// write confirms and applies c, or only reports it for a dry run.
func (m *Manual) write(ctx context.Context, o MoveOptions, res Result, c dns.Change, note string) (Result, error) {
	res.After = m.view(c.Target, true, c.State)
	if o.DryRun {
		res.DryRun, res.Note = true, "dry run: nothing changed"
		return m.done(res.Action, o, res, nil)
	}
	if o.Confirm != nil {
		if err := o.Confirm(res); err != nil {
			return m.done(res.Action, o, res, err)
		}
	}
	after, err := m.o.DNS.Write(ctx, c)
	if errors.Is(err, dns.ErrSuperseded) {
		res.After = m.view(after.Content, after.HasState, after.State)
		res.Changed = true
		res.Note = fmt.Sprintf("%s; a newer write has since replaced it (gen %d by %s)", note, after.State.Gen, after.State.By)
		return m.done(res.Action, o, res, nil)
	}
	if err != nil {
		// A write can commit and still fail (its answer lost, a timeout,
		// Ctrl-C): never report "unchanged" without looking.
		res.After = View{}
		if now, ok := m.reread(ctx); ok {
			if now.Holds(c) {
				res.After = m.view(now.Content, now.HasState, now.State)
				res.Changed, res.Note = true, note+" (the API's answer was lost, but a fresh read shows the change)"
				return m.done(res.Action, o, res, nil)
			}
			res.After = m.view(now.Content, now.HasState, now.State)
			res.Note = "a fresh read shows the record as it is now"
		}
		return m.done(res.Action, o, res, dnsError("write "+c.Target+" and its state", err))
	}
	res.After = m.view(after.Content, after.HasState, after.State)
	res.Changed, res.Note = true, note
	return m.done(res.Action, o, res, nil)
}

// done logs the outcome of every action, whatever it was, and returns it.
func (m *Manual) done(action string, o MoveOptions, res Result, err error) (Result, error) {
	attrs := []any{"action", action, "by", by(o.By), "reason", o.Reason, "force", o.Force, "dry_run", o.DryRun,
		"record", res.Record, "from", res.Before.Target, "changed", res.Changed}
	if res.Before.State != nil {
		attrs = append(attrs, "gen_before", res.Before.State.Gen)
	}
	if res.Changed && res.After.State != nil {
		attrs = append(attrs, "to", res.After.Target, "gen_after", res.After.State.Gen, "pinned", res.After.State.Pinned)
	}
	if res.Check != nil {
		attrs = append(attrs, "check_ok", res.Check.OK, "check_reason", res.Check.Reason)
	}
	if err != nil {
		m.o.Log.Warn("manual: "+action+" not done", append(attrs, "error", err.Error())...)
		return res, err
	}
	m.o.Log.Info("manual: "+action, append(attrs, "note", res.Note)...)
	if res.Changed && !res.DryRun {
		m.tell(action, o, res)
	}
	return res, nil
}

// tell notifies an operator's change and waits, bounded, for delivery:
// the command exits right after, and an operator can wait a few seconds
// where automation never would.
func (m *Manual) tell(action string, o MoveOptions, res Result) {
	if m.o.Notify == nil {
		return
	}
	e := notify.Event{Kind: notify.Manual, Record: res.Record, At: time.Now(), Reason: o.Reason, By: by(o.By), Target: res.After.Target}
	if st := res.After.State; st != nil {
		e.Active, e.Generation, e.Until = string(st.Active), st.Gen, st.Until
	}
	if action == "hold" {
		e.Kind = notify.HoldStarted
	}
	if action == "auto" {
		e.Reason = strings.TrimSpace("handed back to automation. " + o.Reason)
	}
	m.o.Notify.Notify(e)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.o.Notify.Flush(ctx); err != nil {
		m.o.Log.Warn("manual: notification not delivered in time", "error", err.Error())
	}
}

// maxWho leaves room for "manual:" within the state TXT's by (state.MaxBy).
const maxWho = state.MaxBy - len("manual:")

// by returns "manual:<who>" with who cut to what the state TXT's by allows:
// printable ASCII other than space, '"' and '\' (each such byte becomes
// '_'), at most 64 bytes in all. An empty who is "unknown".
func by(who string) string {
	var b strings.Builder
	for i := 0; i < len(who) && b.Len() < maxWho; i++ {
		c := who[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
			c = '_'
		}
		b.WriteByte(c)
	}
	if b.Len() == 0 {
		return "manual:unknown"
	}
	return "manual:" + b.String()
}

// reread reads the record once more after a failed write, on a context of
// its own so that a cancelled or expired one still gets its answer.
func (m *Manual) reread(ctx context.Context) (dns.Snapshot, bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	snap, err := m.o.DNS.Read(ctx)
	return snap, err == nil
}
