package failover

import "github.com/switchyard-dns/switchyard/dnsfailover/state"

// Recheck reports whether the next check of the primary should come after
// the fast interval instead of the regular one: traffic is on the primary,
// automation may move it, and the primary has failed at least once but
// fewer than FailAfter times in a row (HAProxy's fastinter: a server in
// transition is checked more often). A success ends it, and so does reaching
// FailAfter: from then on each regular round asks the peers, as before, so a
// vantage point cut off from the primary does not ask them more often.
//
// Recovery is not re-checked fast: RECOVER_AFTER regular rounds are the
// evidence that a primary which came back stays back, and shortening that
// window would only make an automatic failback to a flapping origin likelier
// while users are served by a healthy standby.
func Recheck(p Policy, in Input) bool {
	if in.State.Held(in.Now) || in.State.Active != state.Primary {
		return false
	}
	return in.PrimaryFails >= 1 && in.PrimaryFails < p.FailAfter
}
