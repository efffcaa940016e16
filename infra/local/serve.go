package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/infra/local/scenario"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// serveWorld keeps a world up until ctx ends, printing where everything is
// and writing an env file that points the other tools at it.
func serveWorld(ctx context.Context, opts world.Options, envFile string, asJSON bool, stdout, stderr io.Writer) int {
	tl := newTimeline(stdout, asJSON)
	opts.Events = scenario.NewRecorder(tl.print).Record
	w, err := world.Start(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "local: %v\n", err)
		return 1
	}
	defer w.Close()

	// The env file describes an operator's view: the first vantage point's
	// configuration, with every peer, pointed at the local services.
	cfg := w.Nodes[0].Config
	cfg.Port = 0
	if err := writeEnvFile(envFile, cfg, w); err != nil {
		fmt.Fprintf(stderr, "local: --env-file: %v\n", err)
		return 1
	}
	host, port := splitAddr(w.DNSAddr())
	fmt.Fprintf(stdout, `switchyard local world is up (Ctrl-C to stop)

  Cloudflare API   %s   (zone %s, id %s)
  DNS server       %s   (UDP and TCP)
  record           %s  CNAME → %s
  primary origin   %s   canary %s
  standby origin   %s   canary %s
  vantage points  `, w.APIURL(), world.Zone, world.ZoneID, w.DNSAddr(), world.Record, w.CurrentAnswer(),
		w.Primary.URL(), w.Primary.CheckURL(), w.Standby.URL(), w.Standby.CheckURL())
	for _, n := range w.Nodes {
		fmt.Fprintf(stdout, " %s=%s", n.ID, n.URL)
	}
	fmt.Fprintf(stdout, `
  env file         %s

  try:  dig @%s -p %s %s CNAME +short
        curl -s %s/status
`, envFile, host, port, world.Record, w.Nodes[0].URL)
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	return 0
}

func splitAddr(addr string) (string, string) {
	i := strings.LastIndex(addr, ":")
	return addr[:i], addr[i+1:]
}

// writeEnvFile writes every configuration variable of cfg, plus the local
// world's extras, as KEY=value lines (mode 0600: it holds the local token).
func writeEnvFile(path string, cfg config.Config, w *world.World) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# written by go run ./infra/local --serve at %s; valid while that world runs\n", time.Now().UTC().Format(time.RFC3339))
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
