package dns

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// A failover group is several records switched as one: the switched record
// (Options.Record, which carries the state TXT and the claim) and its
// Members. Every write moves all of them and the state in the same atomic
// Apply, so no reader ever sees half a group switched; each member's
// content follows the state's active side (Member.Target), so a Change
// still names one target and one state, and a layer over several Providers
// forwards it unchanged.

// Member is one more record of a failover group, switched with the group's
// first record.
type Member struct {
	Name    string // lower case, without the trailing dot
	Type    string // CNAME, A or AAAA
	Primary string // its content when the primary is active
	Standby string // its content when the standby is active
}

// String names the member as people write it: "img.example.com CNAME".
func (m Member) String() string { return m.Name + " " + m.Type }

// Target is m's content when side is active.
func (m Member) Target(side state.Side) string {
	if side == state.Standby {
		return m.Standby
	}
	return m.Primary
}

// side is the side whose target content is, or "" for neither.
func (m Member) side(content string) state.Side {
	switch {
	case SameTarget(content, m.Primary):
		return state.Primary
	case SameTarget(content, m.Standby):
		return state.Standby
	}
	return ""
}

// MemberSnapshot is a member of the group as a Read found it.
type MemberSnapshot struct {
	Member
	Content string // the current target
	TTL     int
}

// NormalizeGroup returns group with names lower case and without the final
// dot, and types upper case, and every problem at once: a member that is
// not a CNAME, A or AAAA record, whose targets do not suit its type or are
// the same, or that names the switched record (record, typ) or another
// member again.
func NormalizeGroup(record, typ string, group []Member) ([]Member, error) {
	var errs []error
	out := make([]Member, 0, len(group))
	seen := map[string]bool{strings.ToLower(strings.TrimSuffix(record, ".")) + " " + strings.ToUpper(typ): true}
	for i, m := range group {
		m.Name = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(m.Name), "."))
		m.Type = strings.ToUpper(strings.TrimSpace(m.Type))
		m.Primary, m.Standby = strings.TrimSpace(m.Primary), strings.TrimSpace(m.Standby)
		what := fmt.Sprintf("group member %d (%s)", i+1, m)
		if m.Name == "" || strings.ContainsAny(m.Name, " /\"\\") {
			errs = append(errs, fmt.Errorf("%s: name %q: expected a DNS name such as img.example.com", what, m.Name))
		}
		if seen[m.String()] {
			errs = append(errs, fmt.Errorf("%s: named twice in the group", what))
		}
		seen[m.String()] = true
		for _, t := range []struct{ side, target string }{{"primary", m.Primary}, {"standby", m.Standby}} {
			if p := targetProblem(m.Type, t.target); p != "" {
				errs = append(errs, fmt.Errorf("%s: %s target %q %s", what, t.side, t.target, p))
			}
		}
		if m.Primary != "" && SameTarget(m.Primary, m.Standby) {
			errs = append(errs, fmt.Errorf("%s: primary and standby target are the same (%q): switching would change nothing", what, m.Primary))
		}
		out = append(out, m)
	}
	return out, errors.Join(errs...)
}

// targetProblem says why target is not content a record of typ can have,
// or "".
func targetProblem(typ, target string) string {
	addr, err := netip.ParseAddr(target)
	switch typ {
	case "A":
		if err != nil || !addr.Is4() {
			return "is not an IPv4 address"
		}
	case "AAAA":
		if err != nil || !addr.Is6() || addr.Is4In6() || addr.Zone() != "" {
			return "is not an IPv6 address"
		}
	case "CNAME":
		if err == nil || target == "" || strings.ContainsAny(target, " /\"\\") {
			return "is not a host name"
		}
	default:
		return "cannot be switched: the type must be CNAME, A or AAAA"
	}
	return ""
}

// groupProblems says, one line per record, where the group's members
// disagree with side ("" when the switched record's side is unknown: then
// with each other), and names each record that does.
func groupProblems(members []MemberSnapshot, side state.Side, lead string) (records, why []string) {
	for _, m := range members {
		ms := m.side(m.Content)
		switch {
		case ms == "":
			records = append(records, m.String())
			why = append(why, fmt.Sprintf("%s points at %q, which is neither its primary target %q nor its standby target %q",
				m, m.Content, m.Primary, m.Standby))
		case side == "":
			side, lead = ms, m.String()
		case ms != side:
			records = append(records, m.String())
			why = append(why, fmt.Sprintf("%s points at its %s target while %s is on the %s", m, ms, lead, side))
		}
	}
	return records, why
}

// CommonSuffix is the longest run of whole labels that ends every name
// ("example.com" for assets.example.com and img.example.com): a provider
// that lists records by name suffix reads a whole group in one call with it.
func CommonSuffix(names ...string) string {
	if len(names) == 0 {
		return ""
	}
	common := strings.Split(names[0], ".")
	for _, n := range names[1:] {
		labels := strings.Split(n, ".")
		k := 0
		for k < len(common) && k < len(labels) && strings.EqualFold(common[len(common)-1-k], labels[len(labels)-1-k]) {
			k++
		}
		common = common[len(common)-k:]
	}
	return strings.Join(common, ".")
}

// Names returns the names of the group's members.
func Names(group []Member) []string {
	out := make([]string, 0, len(group))
	for _, m := range group {
		out = append(out, m.Name)
	}
	return out
}
