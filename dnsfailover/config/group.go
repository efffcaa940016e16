package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kelseyhightower/envconfig"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
)

// Group is SWITCHYARD_GROUP: the records switched with SWITCHYARD_RECORD
// as one failover group, `name type primary standby` each,
// comma-separated. A new variable rather than a list in SWITCHYARD_RECORD:
// the single-record variables keep working unchanged, the first record
// (which holds the state TXT and the claim) stays the one every other
// setting is about (client path, drill, notifications), and each member's
// two targets sit beside its name, where lists in parallel variables could
// silently fall out of step.
type Group []dns.Member

var _ envconfig.Decoder = (*Group)(nil)

// groupForm is the expected form, said the same way in every message.
const groupForm = "want 'name type primary standby', e.g. 'img.example.com CNAME img.primary.example.net img.standby.example.net'"

// Decode splits the entries into their four fields, reporting every entry
// that has not four at once, numbered from 1. What the fields hold is
// checked by Validate.
func (g *Group) Decode(value string) error {
	*g = nil
	if strings.TrimSpace(value) == "" {
		return nil
	}
	var problems []string
	for i, entry := range strings.Split(value, ",") {
		f := strings.Fields(entry)
		if len(f) != 4 {
			problems = append(problems, fmt.Sprintf("entry %d %q has %d fields: %s", i+1, strings.TrimSpace(entry), len(f), groupForm))
			continue
		}
		*g = append(*g, dns.Member{Name: strings.ToLower(f[0]), Type: strings.ToUpper(f[1]), Primary: f[2], Standby: f[3]})
	}
	if len(problems) > 0 {
		*g = nil
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// String is the value as SWITCHYARD_GROUP is written.
func (g Group) String() string {
	entries := make([]string, len(g))
	for i, m := range g {
		entries[i] = strings.Join([]string{m.Name, m.Type, m.Primary, m.Standby}, " ")
	}
	return strings.Join(entries, ",")
}

// checkGroup reports every problem of every member, each naming the
// variable and the member: its name, type and targets as for
// SWITCHYARD_RECORD, a record named twice, and a CNAME sharing its name
// with another record of the group (DNS allows nothing beside a CNAME).
func (c Config) checkGroup(k *checker) {
	const v = "SWITCHYARD_GROUP"
	if !k.usable(v) {
		return
	}
	all := append([]dns.Member{{Name: strings.ToLower(c.Record), Type: c.RecordType}}, c.Group...)
	for i, m := range c.Group {
		what := fmt.Sprintf("entry %d (%s)", i+1, m)
		if p := hostnameProblem(m.Name); p != "" {
			k.add(v, "%s: name %q %s", what, m.Name, p)
		}
		if !recordTypes[m.Type] {
			k.add(v, "%s: type %q is not supported: want CNAME, A or AAAA", what, m.Type)
		} else {
			words := func(side string) targetWords {
				return targetWords{prefix: what + ": " + side + " target ", typ: "type", self: "the entry's own name"}
			}
			primaryOK := checkTargetOf(k, v, m.Primary, m.Name, words("primary"), m.Type)
			standbyOK := checkTargetOf(k, v, m.Standby, m.Name, words("standby"), m.Type)
			if primaryOK && standbyOK && dns.SameTarget(m.Primary, m.Standby) {
				k.add(v, "%s: primary and standby target are the same (%q): switching it would change nothing", what, m.Primary)
			}
		}
		for j, o := range all[:i+1] {
			if !strings.EqualFold(o.Name, m.Name) {
				continue
			}
			other := "SWITCHYARD_RECORD"
			if j > 0 {
				other = fmt.Sprintf("entry %d", j)
			}
			switch {
			case o.Type == m.Type:
				k.add(v, "%s: the same record as %s: name each record once", what, other)
			case o.Type == "CNAME" || m.Type == "CNAME":
				k.add(v, "%s: %s is a %s at the same name: a CNAME cannot share its name with another record", what, other, o.Type)
			}
		}
	}
}
