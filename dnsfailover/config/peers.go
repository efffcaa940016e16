package config

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/kelseyhightower/envconfig"

	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
)

// vantageID is provider:region, each side lower-case letters, digits and
// inner dashes, e.g. aws:us-east-1 or gcp:europe-west1.
var vantageID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*:[a-z0-9]+(-[a-z0-9]+)*$`)

// validVantageID reports whether id is in provider:region form.
func validVantageID(id string) bool { return vantageID.MatchString(id) }

// vantageIDForm is the expected form, said the same way in every message.
const vantageIDForm = "want provider:region, lower-case letters, digits and dashes, e.g. aws:us-east-1"

// Peer is another vantage point that this one asks for observations.
type Peer struct {
	ID  string // provider:region, e.g. gcp:europe-west1
	URL string // absolute http(s) base URL of its observe endpoint
}

// Peers is SWITCHYARD_PEERS: `id=url,id=url`. Empty means this vantage
// point is alone.
type Peers []Peer

var _ envconfig.Decoder = (*Peers)(nil)

// Decode parses `id=url,id=url`, trimming spaces around every part. It
// reports every bad entry at once, numbered from 1, and never echoes
// credentials (URLs with user info are refused without being repeated).
func (p *Peers) Decode(value string) error {
	*p = nil
	if strings.TrimSpace(value) == "" {
		return nil
	}
	var (
		peers    Peers
		problems []string
		seen     = map[string]bool{}
	)
	for i, entry := range strings.Split(value, ",") {
		n := i + 1
		entry = strings.TrimSpace(entry)
		id, rawURL, ok := strings.Cut(entry, "=")
		id, rawURL = strings.TrimSpace(id), strings.TrimSpace(rawURL)
		switch {
		case entry == "":
			problems = append(problems, fmt.Sprintf("entry %d is empty", n))
			continue
		case !ok:
			problems = append(problems, fmt.Sprintf("entry %d has no '=': want id=url", n))
			continue
		case !validVantageID(id):
			problems = append(problems, fmt.Sprintf("entry %d: id %q: %s", n, id, vantageIDForm))
		case seen[id]:
			problems = append(problems, fmt.Sprintf("entry %d: id %s is listed more than once", n, id))
		}
		if err := probe.CheckBaseURL(rawURL); err != nil {
			problems = append(problems, fmt.Sprintf("entry %d (%s): url %v", n, id, err))
		}
		seen[id] = true
		peers = append(peers, Peer{ID: id, URL: rawURL})
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	*p = peers
	return nil
}

// IDs returns the peer ids in configured order.
func (p Peers) IDs() []string {
	ids := make([]string, len(p))
	for i, peer := range p {
		ids[i] = peer.ID
	}
	return ids
}

// Key rotation. A peer request is signed with SWITCHYARD_SECRET only; a
// vantage point accepts requests signed with SWITCHYARD_SECRET or
// SWITCHYARD_SECRET_PREVIOUS and answers with the key that verified the
// request. Rotating without any peer abstaining is therefore three rollouts,
// each finished everywhere before the next starts:
//
//  1. SECRET_PREVIOUS=<new> (accepted, not yet sent)
//  2. SECRET=<new>, SECRET_PREVIOUS=<old> (sent; the old key is still accepted)
//  3. SECRET_PREVIOUS unset
//
// Skipping step 1 works too, but while step 2 rolls out the vantage points
// already sending the new key see the others abstain.

// PeerSecrets returns the HMAC keys accepted on peer requests, the current
// one first, as peers.HandlerOptions.Secrets wants them. It is empty when no
// SWITCHYARD_SECRET is set.
func (c Config) PeerSecrets() [][]byte {
	var keys [][]byte
	if c.Secret != "" {
		keys = append(keys, []byte(c.Secret.Reveal()))
	}
	if c.SecretPrevious != "" && c.SecretPrevious != c.Secret {
		keys = append(keys, []byte(c.SecretPrevious.Reveal()))
	}
	return keys
}

// checkRotation wants SECRET_PREVIOUS only beside a SECRET, as long as a
// secret must be, and different from it (the same key twice is most likely
// the new key pasted where the old one belonged, which would lock out every
// peer still sending the old one).
func (c Config) checkRotation(k *checker) {
	const name = "SWITCHYARD_SECRET_PREVIOUS"
	switch {
	case c.SecretPrevious == "":
	case c.Secret == "":
		k.add(name, "is set but SWITCHYARD_SECRET is not: the previous key is accepted only beside a current one")
	case c.SecretPrevious == c.Secret:
		k.add(name, "is the same as SWITCHYARD_SECRET: set it to the other key of the rotation, or unset it")
	case len(c.SecretPrevious.Reveal()) < 32:
		k.add(name, "is shorter than 32 bytes: use e.g. the output of openssl rand -hex 32")
	}
}
