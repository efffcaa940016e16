package drill

import (
	"context"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/notify"
)

// notifyWait bounds how long a failed drill waits for its notification to
// be delivered: the command or the invocation ends right after, and a
// drill, unlike a probe round, can wait a few seconds.
const notifyWait = 10 * time.Second

// tell sends one drill_failed notification to the receivers of
// SWITCHYARD_NOTIFY (none: nothing), whichever way the drill ran (the
// `failover drill` command, a scheduled Lambda invocation), and waits,
// bounded, for its delivery. It is about the real record, whose failover
// the drill rehearsed.
func (r *run) tell() {
	n := assemble.Notifier(r.c, r.o.Deps)
	if n == nil {
		return
	}
	defer n.Close()
	reason := "drill of " + r.rep.Record + " failed: " + r.rep.Reason
	if r.rep.DryRun {
		reason = "dry-run drill failed: " + r.rep.Reason
	}
	n.Notify(notify.Event{Kind: notify.DrillFailed, Record: r.c.Record, Vantage: r.c.Vantage, At: r.now(),
		Reason: reason, By: "drill:" + r.o.By})
	ctx, cancel := context.WithTimeout(context.Background(), notifyWait)
	defer cancel()
	if err := n.Flush(ctx); err != nil {
		r.log.Warn("drill: failure notification not delivered in time", "error", err.Error())
	}
}
