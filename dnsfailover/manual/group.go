package manual

import (
	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// GroupView is one more record of a failover group (SWITCHYARD_GROUP) as
// read: switched with the record, in the same write.
type GroupView struct {
	Record        string     `json:"record"`
	Type          string     `json:"type"`
	Target        string     `json:"target"`
	Side          state.Side `json:"side,omitempty"` // empty: on neither of its targets
	PrimaryTarget string     `json:"primary_target"`
	StandbyTarget string     `json:"standby_target"`
}

// groupViews describes the group's other records in s.
func groupViews(s dns.Snapshot) []GroupView {
	var out []GroupView
	for _, m := range s.Group {
		v := GroupView{Record: m.Name, Type: m.Type, Target: m.Content, PrimaryTarget: m.Primary, StandbyTarget: m.Standby}
		switch {
		case dns.SameTarget(m.Content, m.Primary):
			v.Side = state.Primary
		case dns.SameTarget(m.Content, m.Standby):
			v.Side = state.Standby
		}
		out = append(out, v)
	}
	return out
}

func (g GroupView) describe() string {
	return View{Target: g.Target, Side: g.Side}.describe()
}
