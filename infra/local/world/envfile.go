package world

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
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

// WriteEnvFile writes every variable of cfg as KEY=value lines, as
// config.ReadEnvFile and envconfig read them back, plus
// SWITCHYARD_LOCAL_DNS_ADDR (the world's DNS server, for dig). The file is
// mode 0600: it holds the world's API token.
func (w *World) WriteEnvFile(path string, cfg config.Config) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# switchyard local world, written %s; valid while that world runs\n", time.Now().UTC().Format(time.RFC3339))
	v := reflect.ValueOf(cfg)
	t := v.Type()
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("envconfig")
		if tag == "" {
			continue
		}
		fmt.Fprintf(&b, "%s_%s=%s\n", config.Prefix, tag, envValue(v.Field(i)))
	}
	fmt.Fprintf(&b, "SWITCHYARD_LOCAL_DNS_ADDR=%s\n", w.DNSAddr())
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

// envValue renders a field the way envconfig reads it back.
func envValue(f reflect.Value) string {
	switch x := f.Interface().(type) {
	case config.Secret:
		return x.Reveal()
	case config.Peers:
		var parts []string
		for _, p := range x {
			parts = append(parts, p.ID+"="+p.URL)
		}
		return strings.Join(parts, ",")
	case time.Duration:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}
