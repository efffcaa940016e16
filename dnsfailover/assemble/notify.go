package assemble

import (
	"slices"
	"strings"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/notify"
)

// Notifier builds the receivers of SWITCHYARD_NOTIFY, nil when none is
// configured (a nil *notify.Notifier does nothing). It starts their
// delivery workers; they run until the Notifier is closed.
func Notifier(c config.Config, d Deps) *notify.Notifier {
	targets := c.NotifyTargets()
	if len(targets) == 0 {
		return nil
	}
	return notify.New(notify.Options{
		Sinks: notify.FromTargets(targets, []byte(c.NotifyWebhookSecret.Reveal()), c.PagerDutyURL, d.NotifyHTTP),
		Log:   d.Log,
	})
}

// tellTopology tells, from the first configured vantage point by id only,
// that the configuration cannot survive a provider's loss (or resist its
// blindness), once at start. The verdict only (config.TopologyVerdict):
// each warning sends the reader to probe check-config for the smallest
// fix, whose search a cold start does not pay for.
func tellTopology(c config.Config, n *notify.Notifier, d Deps) {
	if n == nil || len(c.Vantages()) == 0 || slices.Min(c.Vantages()) != c.Vantage {
		return
	}
	a := c.TopologyVerdict()
	if a.OK() {
		return
	}
	reason := strings.Join(a.Warnings, "; ")
	n.Notify(notify.Event{Kind: notify.Topology, Record: c.Record, Vantage: c.Vantage, At: d.Now(), Reason: reason})
}
