package config

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
