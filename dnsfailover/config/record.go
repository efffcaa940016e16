package config

import (
	"fmt"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
	"net/netip"
	"regexp"
	"strings"
)

// The rules for the switched record and the two targets it moves between.

var recordTypes = map[string]bool{"CNAME": true, "A": true, "AAAA": true}

func (c Config) checkRecord(k *checker) {
	if k.require("SWITCHYARD_RECORD", c.Record) {
		if p := hostnameProblem(c.Record); p != "" {
			k.add("SWITCHYARD_RECORD", "%q %s", c.Record, p)
		}
	}
	typeOK := recordTypes[c.RecordType]
	if !typeOK {
		k.add("SWITCHYARD_RECORD_TYPE", "%q is not supported: want CNAME, A or AAAA", c.RecordType)
	}
	primaryOK := k.require("SWITCHYARD_PRIMARY_TARGET", c.PrimaryTarget) && typeOK &&
		c.checkTarget(k, "SWITCHYARD_PRIMARY_TARGET", c.PrimaryTarget)
	standbyOK := k.require("SWITCHYARD_STANDBY_TARGET", c.StandbyTarget) && typeOK &&
		c.checkTarget(k, "SWITCHYARD_STANDBY_TARGET", c.StandbyTarget)
	if primaryOK && standbyOK && dns.SameTarget(c.PrimaryTarget, c.StandbyTarget) {
		k.add("SWITCHYARD_STANDBY_TARGET", "%q is the same as SWITCHYARD_PRIMARY_TARGET: failing over would change nothing", c.StandbyTarget)
	}
	c.checkGroup(k)
}

// checkTarget checks that target suits c.RecordType and reports whether it does.
func (c Config) checkTarget(k *checker, name, target string) bool {
	return checkTargetOf(k, name, target, c.Record, targetWords{typ: "SWITCHYARD_RECORD_TYPE", self: "SWITCHYARD_RECORD"}, c.RecordType)
}

// targetWords say, in checkTargetOf's messages, which target it is
// (prefix), what sets its type, and what the record is called.
type targetWords struct{ prefix, typ, self string }

// checkTargetOf checks that target suits a record of typ named record,
// and reports whether it does; problems are reported as variable name's.
func checkTargetOf(k *checker, name, target, record string, w targetWords, typ string) bool {
	addr, addrErr := netip.ParseAddr(target)
	switch typ {
	case "A":
		if addrErr != nil || !addr.Is4() {
			k.add(name, "%s%q is not an IPv4 address: %s A needs one, e.g. 192.0.2.10", w.prefix, target, w.typ)
			return false
		}
	case "AAAA":
		if addrErr != nil || !addr.Is6() || addr.Is4In6() || addr.Zone() != "" {
			k.add(name, "%s%q is not an IPv6 address: %s AAAA needs one, e.g. 2001:db8::10", w.prefix, target, w.typ)
			return false
		}
	case "CNAME":
		if addrErr == nil {
			k.add(name, "%s%q is an IP address: %s CNAME needs a hostname (use A or AAAA for addresses)", w.prefix, target, w.typ)
			return false
		}
		if p := hostnameProblem(target); p != "" {
			k.add(name, "%s%q %s", w.prefix, target, p)
			return false
		}
		if strings.EqualFold(target, record) {
			k.add(name, "%s%q is %s itself: a CNAME cannot point at its own name", w.prefix, target, w.self)
			return false
		}
	}
	return true
}

// hostnameProblem returns why name is not a hostname a record could have
// or point at, or "" when it is one: two or more dot-separated labels of
// letters, digits and inner dashes, at most 63 bytes each, 253 in all.
func hostnameProblem(name string) string {
	const want = "e.g. assets.example.com"
	switch {
	case strings.HasSuffix(name, "."):
		return "ends with '.': write it without the trailing dot, " + want
	case len(name) > 253:
		return "is longer than 253 characters"
	case !strings.Contains(name, "."):
		return "is a single label: want a full DNS name, " + want
	}
	for label := range strings.SplitSeq(name, ".") {
		switch {
		case label == "":
			return "has an empty label: want a DNS name, " + want
		case len(label) > 63:
			return fmt.Sprintf("has a label longer than 63 characters (%.20s…)", label)
		case !dnsLabel.MatchString(label):
			return fmt.Sprintf("has an invalid label %q: want letters, digits and '-' (not first or last), %s", label, want)
		}
	}
	return ""
}

var dnsLabel = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$`)
