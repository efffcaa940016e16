package failover

import (
	"fmt"
	"strings"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// MaxDwellFactor caps flap damping: the dwell before an automatic failback
// doubles, each time a failback is followed by a failure within the flap
// window, up to MaxDwellFactor × MIN_DWELL (three doublings: 80 minutes
// with the default 10m). Long enough to stop an origin that fails every few
// minutes from dragging traffic back and forth, short enough that a
// recovered primary is used again the same hour.
const MaxDwellFactor = 8

// MaxDwell is the longest dwell damping can reach.
func (p Policy) MaxDwell() time.Duration { return MaxDwellFactor * p.MinDwell }

// Dwell is how long the record must stay on the standby before an
// automatic failback, as s records it (state.State.Dwell, written by the
// switch that put it there, so every vantage point waits the same), kept
// within MIN_DWELL and MaxDwell of this policy. A state without a dwell
// (older switchyard, or set by hand) waits MIN_DWELL.
func (p Policy) Dwell(s state.State) time.Duration {
	return min(max(s.Dwell, p.MinDwell), p.MaxDwell())
}

// DwellText says what the dwell of s is, for people: "dwell 40m0s
// (MIN_DWELL 10m0s doubled twice after flapping, cap 1h20m0s)".
func (p Policy) DwellText(s state.State) string {
	d := p.Dwell(s)
	if d <= p.MinDwell {
		return fmt.Sprintf("dwell %s (MIN_DWELL)", d)
	}
	n := 0
	for x := p.MinDwell; x < d && x > 0; x *= 2 {
		n++
	}
	times := map[int]string{1: "once", 2: "twice"}[n]
	if times == "" {
		times = fmt.Sprintf("%d times", n)
	}
	return fmt.Sprintf("dwell %s (MIN_DWELL %s doubled %s after flapping, cap %s)", d, p.MinDwell, times, p.MaxDwell())
}

// NextDwell is the dwell a failover from s (the record on the primary)
// writes into the new state. When s is an automatic failback and the
// primary failed within that failback's dwell, the origin is flapping: the
// next failback waits twice as long, up to MaxDwell. A primary that served
// longer than that starts again at MIN_DWELL. A primary an operator put
// back, or one never switched (no since), says nothing about flapping: its
// dwell is kept.
func NextDwell(p Policy, s state.State, now time.Time) time.Duration {
	if s.Since.IsZero() || strings.HasPrefix(s.By, "manual:") {
		return p.Dwell(s)
	}
	window := p.Dwell(s)
	if now.Sub(s.Since) < window {
		return min(2*window, p.MaxDwell())
	}
	return p.MinDwell
}
