package world

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
)

// OperatorConfig is the configuration an operator's laptop would hold to run
// functions/failover against this world: the record, targets, checks and
// DNS API of every vantage point, with every vantage point listed in PEERS
// (so `failover status` shows them all) and no vantage id or peer secret,
// which manual control never uses.
func (w *World) OperatorConfig() config.Config {
	c := w.Nodes[0].Config
	c.Vantage, c.Secret, c.Port = "", "", 0
	c.Peers = nil
	for _, n := range w.Nodes {
		c.Peers = append(c.Peers, config.Peer{ID: n.ID, URL: n.URL})
	}
	return c
}

// OperatorDNS is the DNS provider an operator's `failover` command would
// use against this world, whichever DNS service the world runs.
func (w *World) OperatorDNS() (dns.Provider, error) {
	return assemble.Provider(w.OperatorConfig(), assemble.Deps{AWSCredentials: w.AWSCredentials()})
}

// WriteEnvFile writes every variable of cfg as KEY=value lines, as
// config.ReadEnvFile and envconfig read them back, plus
// SWITCHYARD_LOCAL_DNS_ADDR (the world's DNS server, for dig). The file is
// mode 0600: it holds the world's API token.
func (w *World) WriteEnvFile(path string, cfg config.Config) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# switchyard local world, written %s; valid while that world runs\n", time.Now().UTC().Format(time.RFC3339))
	for _, kv := range cfg.Environ() {
		b.WriteString(kv + "\n")
	}
	fmt.Fprintf(&b, "SWITCHYARD_LOCAL_DNS_ADDR=%s\n", w.DNSAddr())
	if slices.Contains(w.DNSNames(), DNSRoute53) {
		// The default AWS chain reads these: the world's Route 53 key.
		fmt.Fprintf(&b, "AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\nAWS_REGION=us-east-1\n", route53AccessKey, w.r53Secret)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	// A file that existed keeps its mode through O_CREATE: tighten it
	// before the token is written.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
