package manual

import (
	"context"
	"fmt"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
)

// MaxHold bounds a maintenance hold: a hold is for maintenance, and one
// forgotten for longer than a week is a pin nobody meant.
const MaxHold = 7 * 24 * time.Hour

// Hold pins the record where it is for d (a maintenance window): same
// target, one generation on, pinned=1 until=now+d. Automation leaves it
// alone until then and resumes by itself after, with no operator needed;
// Auto ends it early. A record in a state automation would not touch is
// refused, as by Auto.
func (m *Manual) Hold(ctx context.Context, d time.Duration, o MoveOptions) (Result, error) {
	const action = "hold"
	if d <= 0 || d > MaxHold {
		return Result{}, &InputError{Msg: fmt.Sprintf("hold --for %s: want a duration from 1s to %s, e.g. 2h", d, MaxHold)}
	}
	snap, cur, problem, err := m.read(ctx)
	if err != nil {
		return m.done(action, o, Result{}, err)
	}
	res := Result{Action: action, Record: snap.Name, Before: m.view(snap.Content, snap.HasState || problem == "", cur)}
	if problem != "" {
		return m.done(action, o, res, &RefusedError{Action: action, Target: snap.Content,
			Why: problem + "; move it with primary or standby first"})
	}
	now := m.o.Now()
	if o.Reason == "" {
		o.Reason = "maintenance hold"
	}
	next := cur.Next(cur.Active, by(o.By), o.Reason, true, now)
	// Whole seconds, rounded up, as the TXT holds them: never shorter than asked.
	next.Until = now.Add(d).UTC().Truncate(time.Second)
	if next.Until.Before(now.Add(d)) {
		next.Until = next.Until.Add(time.Second)
	}
	return m.write(ctx, o, res, dns.Change{Target: snap.Content, State: next},
		fmt.Sprintf("held on the %s until %s: automation resumes by itself then (or at `failover auto`)", cur.Active, next.Until.Format(time.RFC3339)))
}
