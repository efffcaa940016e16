// Package parity tells whether the standby holds the same objects as the
// primary: a failover to a standby that is missing objects, or serves stale
// ones, fails on the worst day while every health check is green.
//
// Compare is pure: it judges one object from the two probe.Results of the
// same key on both origins (the SHA-256 and size of the bodies decide; ETags
// are compared only where they are comparable, see etag.go). CheckKeys
// fetches a small manifest of sample keys (SWITCHYARD_PARITY_KEYS) on both
// origins through the same probe machinery as the canary (keys.go).
package parity

import (
	"fmt"
	"strings"

	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
)

// Match is what one object's comparison found.
type Match string

const (
	// Same: both origins served the object with the same SHA-256 and size.
	Same Match = "same"
	// Different: both served it, with different bodies. A failure.
	Different Match = "different"
	// Missing: the primary served it and the standby answered 404 (or 403,
	// which S3 returns for a missing key without ListBucket). A failure.
	Missing Match = "missing"
	// Unknown: it could not be compared (an origin did not answer, or the
	// primary lacks it too). Never a failure: parity is not health, and an
	// origin that does not answer is the health check's business.
	Unknown Match = "unknown"
)

// Canary is the Key of the canary object in a Comparison.
const Canary = "(canary)"

// Object is one key compared on both origins.
type Object struct {
	Key string `json:"key"`
	// Match keeps its JSON name "verdict", which /status and the drill's
	// --json output have always used.
	Match Match `json:"verdict"`
	// ETag is "same", "different" or "not comparable" (with why), for the
	// record: it never decides on its own (see etag.go).
	ETag    string `json:"etag,omitempty"`
	Reason  string `json:"reason,omitempty"` // for every verdict but Same
	Primary Side   `json:"primary"`
	Standby Side   `json:"standby"`
}

// Side is what one origin served for a key.
type Side struct {
	Status int    `json:"status,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	Size   int64  `json:"size,omitempty"`
	ETag   string `json:"etag,omitempty"`
	Error  string `json:"error,omitempty"` // the probe's reason when it got no body
}

func sideOf(r probe.Result) Side {
	s := Side{Status: r.Status, SHA256: r.SHA256, Size: r.Size, ETag: r.ETag}
	if r.SHA256 == "" {
		s.Error = r.Reason
	}
	return s
}

// Failed reports whether the object counts against the standby.
func (o Object) Failed() bool { return o.Match == Missing || o.Match == Different }

// Comparison is the outcome of comparing one or more objects.
type Comparison struct {
	OK      bool     `json:"ok"` // no object missing or different
	Objects []Object `json:"objects"`
	// Failed lists the keys that are missing or different on the standby.
	Failed []string `json:"failed,omitempty"`
	// Unknown lists the keys that could not be compared.
	Unknown []string `json:"unknown,omitempty"`
	Reason  string   `json:"reason"` // one line for logs and refusals
}

// Compare judges the canary from both origins' results of one round.
func Compare(primary, standby probe.Result) Comparison {
	return Of(CompareKey(Canary, primary, standby))
}

// CompareKey judges one key from what each origin served for it.
func CompareKey(key string, primary, standby probe.Result) Object {
	o := Object{Key: key, Primary: sideOf(primary), Standby: sideOf(standby)}
	switch {
	case primary.SHA256 == "" && primary.Status == 404:
		o.Match, o.Reason = Unknown, "the primary has no such object either: check the key in SWITCHYARD_PARITY_KEYS"
	case primary.SHA256 == "":
		o.Match, o.Reason = Unknown, "primary gave no body: "+primary.Reason
	case standby.SHA256 == "" && (standby.Status == 404 || standby.Status == 403):
		o.Match, o.Reason = Missing, fmt.Sprintf("standby answered %d: the object is not there", standby.Status)
	case standby.SHA256 == "":
		o.Match, o.Reason = Unknown, "standby gave no body: "+standby.Reason
	case primary.Size != standby.Size:
		o.Match = Different
		o.Reason = fmt.Sprintf("size %d bytes on the primary, %d on the standby", primary.Size, standby.Size)
	case primary.SHA256 != standby.SHA256:
		o.Match = Different
		o.Reason = fmt.Sprintf("sha256 %s on the primary, %s on the standby (%d bytes each)", short(primary.SHA256), short(standby.SHA256), primary.Size)
	default:
		o.Match = Same
	}
	if primary.SHA256 != "" && standby.SHA256 != "" {
		o.ETag = compareETags(primary.ETag, standby.ETag)
		if o.ETag == "different" && o.Match == Same {
			o.ETag = "not comparable: ETags differ for identical bytes (encryption or provider)"
		}
	}
	return o
}

// Of gathers objects into a Comparison.
func Of(objects ...Object) Comparison {
	r := Comparison{OK: true, Objects: objects}
	var failed []string
	for _, o := range objects {
		switch {
		case o.Failed():
			r.OK = false
			r.Failed = append(r.Failed, o.Key)
			failed = append(failed, o.Key+" "+string(o.Match)+" ("+o.Reason+")")
		case o.Match == Unknown:
			r.Unknown = append(r.Unknown, o.Key)
		}
	}
	same := len(objects) - len(r.Failed) - len(r.Unknown)
	switch {
	case !r.OK:
		r.Reason = fmt.Sprintf("standby fails parity: %s", strings.Join(failed, "; "))
	case len(r.Unknown) > 0:
		r.Reason = fmt.Sprintf("%d/%d objects the same, %d not compared (%s)", same, len(objects), len(r.Unknown), strings.Join(r.Unknown, ", "))
	default:
		r.Reason = fmt.Sprintf("%d/%d objects the same", same, len(objects))
	}
	return r
}

// Comparable reports whether the report compared anything at all: a report
// whose every object is Unknown says nothing about the standby.
func (r Comparison) Comparable() bool { return len(r.Unknown) < len(r.Objects) }

// short is enough of a digest for a person to compare.
func short(hexSum string) string {
	if len(hexSum) <= 12 {
		return hexSum
	}
	return hexSum[:12] + "…"
}
