package config

import (
	"net"
	"strconv"
	"strings"
	"unicode"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// The rules for standby parity and the drill (issue 7).

// MaxParityKeys bounds SWITCHYARD_PARITY_KEYS: every key is fetched from
// both origins every round, so the manifest is a sample, not an inventory.
const MaxParityKeys = 20

// ParityKeyList returns SWITCHYARD_PARITY_KEYS split at commas, each
// trimmed, empty items dropped.
func (c Config) ParityKeyList() []string {
	var keys []string
	for k := range strings.SplitSeq(c.ParityKeys, ",") {
		if k = strings.TrimSpace(k); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

func (c Config) checkParity(k *checker) {
	keys := c.ParityKeyList()
	if len(keys) > MaxParityKeys {
		k.add("SWITCHYARD_PARITY_KEYS", "%d keys: at most %d (every key is fetched from both origins every round)", len(keys), MaxParityKeys)
	}
	seen := map[string]bool{}
	for _, key := range keys {
		switch {
		case strings.HasPrefix(key, "/"):
			k.add("SWITCHYARD_PARITY_KEYS", "%q starts with '/': write the object key, e.g. img/logo.png", key)
		case strings.ContainsFunc(key, unicode.IsControl) || strings.Contains(key, "?") || strings.Contains(key, "#"):
			k.add("SWITCHYARD_PARITY_KEYS", "%q holds a control character, '?' or '#': want an object key, e.g. img/logo.png", key)
		case seen[key]:
			k.add("SWITCHYARD_PARITY_KEYS", "%q is listed twice", key)
		}
		seen[key] = true
	}
	if c.DrillRecord != "" {
		c.checkDrillRecord(k)
	}
	if c.DrillResolver != "" {
		host, port, err := net.SplitHostPort(c.DrillResolver)
		n, perr := strconv.Atoi(port)
		if err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
			k.add("SWITCHYARD_DRILL_RESOLVER", "%q: want host:port of an authoritative DNS server, e.g. ns1.example.com:53", c.DrillResolver)
		}
	}
}

// checkDrillRecord keeps the drill away from production traffic: the
// drill record must be another name than the switched record and its state
// TXT. Labels may start with '_' (as _drill.assets.example.com does).
func (c Config) checkDrillRecord(k *checker) {
	name := strings.ToLower(c.DrillRecord)
	if p := hostnameProblem(strings.ReplaceAll(name, "_", "u")); p != "" {
		k.add("SWITCHYARD_DRILL_RECORD", "%q %s", c.DrillRecord, strings.Replace(p, "e.g. assets.example.com", "e.g. _drill.assets.example.com", 1))
		return
	}
	record := strings.ToLower(c.Record)
	switch name {
	case record:
		k.add("SWITCHYARD_DRILL_RECORD", "%q is SWITCHYARD_RECORD itself: a drill must never move production traffic; use e.g. _drill.%s", c.DrillRecord, c.Record)
	case strings.ToLower(state.RecordName(c.Record)):
		k.add("SWITCHYARD_DRILL_RECORD", "%q is the state TXT of SWITCHYARD_RECORD: use e.g. _drill.%s", c.DrillRecord, c.Record)
	}
}
