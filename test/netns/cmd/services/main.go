// Command services runs, inside one network namespace of the netns tests,
// the pieces of the local world a vantage point talks to: S3-compatible
// origins, the Cloudflare-compatible DNS API and the authoritative DNS
// server that serves its records. It is a test helper, not a product.
//
//	services [-origin name=ADDR]... [-api ADDR -dns ADDR]
//
// Each origin's S3 API is reachable at ADDR. The API token is read from
// SWITCHYARD_NETNS_TOKEN. When everything listens, one line "ready" is
// printed on stdout; SIGTERM or SIGINT stops it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns/cloudflare"
	"github.com/switchyard-dns/switchyard/dnsfailover/state"
	"github.com/switchyard-dns/switchyard/infra/local/authdns"
	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
	"github.com/switchyard-dns/switchyard/infra/local/origins"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// Canary is the body of every origin's canary object; the tests pass its
// SHA-256 as SWITCHYARD_CHECK_SHA256.
const Canary = "switchyard canary v1\n"

type originFlags []string

func (o *originFlags) String() string     { return strings.Join(*o, ",") }
func (o *originFlags) Set(v string) error { *o = append(*o, v); return nil }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "services: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("services", flag.ContinueOnError)
	var originArgs originFlags
	fs.Var(&originArgs, "origin", "name=ADDR: serve an S3 origin holding the canary at ADDR (repeatable)")
	apiAddr := fs.String("api", "", "serve the Cloudflare-compatible API at ADDR (path /client/v4)")
	dnsAddr := fs.String("dns", "", "serve authoritative DNS for the zone at ADDR (UDP and TCP); needs -api")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*apiAddr == "") != (*dnsAddr == "") {
		return errors.New("-api and -dns go together")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var closers []func()
	defer func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}()
	for _, arg := range originArgs {
		name, addr, ok := strings.Cut(arg, "=")
		if !ok || name == "" || addr == "" {
			return fmt.Errorf("-origin %q: want name=ADDR", arg)
		}
		closeOrigin, err := serveOrigin(name, addr)
		if err != nil {
			return err
		}
		closers = append(closers, closeOrigin)
	}
	if *apiAddr != "" {
		closeDNS, err := serveDNS(*apiAddr, *dnsAddr, os.Getenv("SWITCHYARD_NETNS_TOKEN"))
		if err != nil {
			return err
		}
		closers = append(closers, closeDNS)
	}
	fmt.Println("ready")
	<-ctx.Done()
	return nil
}

// serveOrigin starts an origin and makes it reachable at addr. origins.Start
// binds loopback only, so a forwarder carries connections from addr to it:
// a link cut in front of addr cuts the origin.
func serveOrigin(name, addr string) (func(), error) {
	o, err := origins.Start(name, world.Bucket, world.CanaryKey, []byte(Canary))
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		o.Close()
		return nil, fmt.Errorf("origin %s: %w", name, err)
	}
	backend := strings.TrimPrefix(o.URL(), "http://")
	var wg sync.WaitGroup
	wg.Go(func() { forward(ln, backend) })
	return func() { ln.Close(); wg.Wait(); o.Close() }, nil
}

// forward copies every connection accepted on ln to backend and back.
func forward(ln net.Listener, backend string) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			b, err := net.DialTimeout("tcp", backend, 5*time.Second)
			if err != nil {
				return
			}
			defer b.Close()
			done := make(chan struct{}, 2)
			go func() { _, _ = io.Copy(b, c); done <- struct{}{} }()
			go func() { _, _ = io.Copy(c, b); done <- struct{}{} }()
			<-done // either side closing ends both
		}()
	}
}

// serveDNS starts the Cloudflare-compatible API holding the record, its
// state TXT and the two targets, and the DNS server answering from it, as
// world.Start sets them up.
func serveDNS(apiAddr, dnsAddr, token string) (func(), error) {
	if token == "" {
		return nil, errors.New("SWITCHYARD_NETNS_TOKEN is empty")
	}
	cf := cloudflareapi.New(cloudflareapi.Options{Token: token, ZoneID: world.ZoneID, ZoneName: world.Zone})
	cf.Add(cloudflareapi.Record{Name: world.Record, Type: "CNAME", Content: world.PrimaryTarget, TTL: 60})
	initial := state.State{Active: state.Primary, By: "setup", Reason: "initial state"}
	cf.Add(cloudflareapi.Record{Name: state.RecordName(world.Record), Type: "TXT", Content: cloudflare.QuoteTXT(initial.Format()), TTL: 60})

	ln, err := net.Listen("tcp", apiAddr)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	srv := &http.Server{Handler: cf.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()

	records := func() []authdns.Record {
		var out []authdns.Record
		for _, r := range cf.Records() {
			out = append(out, authdns.Record{Name: r.Name, Type: r.Type, Content: r.Content, TTL: r.TTL})
		}
		return out
	}
	d, err := authdns.Start(dnsAddr, world.Zone, records)
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("dns: %w", err)
	}
	return func() { srv.Close(); d.Close() }, nil
}
