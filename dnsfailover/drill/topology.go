package drill

import "strings"

// topology shows the configured topology's verdict as a step: a deployment
// that cannot survive losing a provider, or that one blind provider can
// switch, is something the day of a real failover would find out, so the
// drill says it now. It reads only the configuration.
func (r *run) topology() {
	if len(r.c.Vantages()) == 0 {
		r.skip("topology", "SWITCHYARD_PEERS is not set: no vantage points to judge")
		return
	}
	r.step("topology", func() (Status, string, string) {
		a := r.c.Topology()
		r.rep.Topology = &a
		if !a.OK() {
			return Fail, a.Summary(), strings.Join(a.Warnings, "\n")
		}
		return Pass, a.Summary(), ""
	})
}
