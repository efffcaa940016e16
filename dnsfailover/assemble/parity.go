package assemble

import (
	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/parity"
	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
)

// Specs are the primary and standby check specs, the one description of
// how each origin is checked: Probes builds the canary checks from them
// and parity fetches its sample keys with copies of them.
func Specs(c config.Config, d Deps) (primary, standby probe.Spec) {
	spec := func(url, keyID string, secret config.Secret) probe.Spec {
		return probe.Spec{
			URL: url, SHA256: c.CheckSHA256, Contains: c.CheckContains,
			LatencyBudget: c.LatencyBudget, Timeout: c.ProbeTimeout,
			AccessKeyID: keyID, SecretAccessKey: secret.Reveal(),
			HTTPClient: d.ProbeHTTP, Now: d.Now,
		}
	}
	return spec(c.PrimaryCheck, c.PrimaryS3AccessKeyID, c.PrimaryS3SecretAccessKey),
		spec(c.StandbyCheck, c.StandbyS3AccessKeyID, c.StandbyS3SecretAccessKey)
}

// Parity is the parity checker of c: the canary and SWITCHYARD_PARITY_KEYS.
func Parity(c config.Config, d Deps) *parity.Checker {
	primary, standby := Specs(c, d)
	return &parity.Checker{Keys: c.ParityKeyList(), Primary: primary, Standby: standby}
}
