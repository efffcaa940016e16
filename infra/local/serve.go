package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/infra/local/scenario"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// serveWorld keeps a world up until ctx ends, printing where everything is
// and writing an env file that points the other tools at it.
func serveWorld(ctx context.Context, opts world.Options, envFile string, asJSON bool, stdout, stderr io.Writer) int {
	tl := newTimeline(stdout, asJSON)
	opts.Events = scenario.NewRecorder(tl.print).Record
	if opts.ParityKeys == nil {
		// Sample objects on both origins, so parity and drills have
		// something to compare besides the canary.
		opts.ParityKeys = []string{"img/logo.png", "index.html"}
	}
	w, err := world.Start(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "local: %v\n", err)
		return 1
	}
	defer w.Close()

	// The env file is an operator's view of the world: the record, targets,
	// checks and DNS API, with every vantage point listed in PEERS, and the
	// peer secret, which `failover drill` signs its quorum round with.
	operator := w.OperatorConfig()
	operator.Secret = config.Secret(w.Secret())
	if err := w.WriteEnvFile(envFile, operator); err != nil {
		fmt.Fprintf(stderr, "local: --env-file: %v\n", err)
		return 1
	}
	host, port := splitAddr(w.DNSAddr())
	fmt.Fprintf(stdout, `switchyard local world is up (Ctrl-C to stop)

  DNS provider     %s   (zone %s)
  DNS server       %s   (UDP and TCP)
  record           %s  CNAME → %s
  primary origin   %s   canary %s
  standby origin   %s   canary %s
  vantage points  `, w.ProviderDescription(), world.Zone, w.DNSAddr(), world.Record, w.CurrentAnswer(),
		w.Primary.URL(), w.Primary.CheckURL(), w.Standby.URL(), w.Standby.CheckURL())
	for _, n := range w.Nodes {
		fmt.Fprintf(stdout, " %s=%s", n.ID, n.URL)
	}
	fmt.Fprintf(stdout, `
  status page      %s/
  env file         %s

  try:  dig @%s -p %s %s CNAME +short
        curl -s %s/status
`, w.Nodes[0].URL, envFile, host, port, world.Record, w.Nodes[0].URL)
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	return 0
}

func splitAddr(addr string) (string, string) {
	i := strings.LastIndex(addr, ":")
	return addr[:i], addr[i+1:]
}
