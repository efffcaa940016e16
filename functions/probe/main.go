// Command probe is a switchyard vantage point.
//
//	probe serve   serve POST /observe, GET /status and GET /healthz on $PORT and probe every SWITCHYARD_INTERVAL
//	probe once    check the primary and the standby once and print the observation as JSON
//	probe check-config  load and validate the configuration and explain it, without running
//
// Configuration comes from SWITCHYARD_* environment variables; --help lists them.
//
// Started by the AWS Lambda runtime (AWS_LAMBDA_RUNTIME_API is set) it is
// the Lambda form instead: a scheduled event runs probe rounds, a Function
// URL request is served like `probe serve` serves it (see lambda.go).
// Started by the Azure Functions host as a custom handler
// (FUNCTIONS_CUSTOMHANDLER_PORT is set) it is the Azure form: a timer
// invocation runs one round, proxied HTTP requests are served like
// `probe serve` serves them (see azure.go).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
)

func main() {
	if inLambda() {
		os.Exit(runLambda(os.Stdout, os.Stderr))
	}
	if inAzure() {
		os.Exit(runAzure(os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: probe serve|once|check-config

  serve          serve POST /observe, GET /status and GET /healthz on $PORT
                 and run a probe round every SWITCHYARD_INTERVAL
  once           check the primary and the standby once, print the observation as JSON
  check-config   load and validate the configuration and explain it: vantage points
                 by provider, the quorum rule, and whether the topology survives the
                 loss and resists the blindness of any one provider; runs nothing,
                 shows no secret

Started by the AWS Lambda runtime (AWS_LAMBDA_RUNTIME_API set) or by the Azure
Functions host as a custom handler (FUNCTIONS_CUSTOMHANDLER_PORT set), it runs
as that platform's form instead (infra/aws, infra/azure).

Exit status: 0 ok, 1 the check failed (once), the server stopped with an error, or
the topology fails a test (check-config), 2 bad usage or configuration.

Environment:
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		config.WriteUsageText(stderr)
		if len(args) == 1 && args[0] != "help" {
			return 0
		}
		return 2
	}
	if args[0] == "check-config" {
		return checkConfig(stdout)
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintf(stderr, "probe: configuration:\n%v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	v, err := assemble.Vantage(cfg, assemble.Deps{Log: log})
	if err != nil {
		fmt.Fprintf(stderr, "probe: %v\n", err)
		return 2
	}
	switch args[0] {
	case "once":
		obs := v.Observe(ctx)
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(obs)
		if !obs.Primary.OK || !obs.Standby.OK {
			return 1
		}
		return 0
	case "serve":
		if err := serve(ctx, v, cfg, log); err != nil {
			log.Error("serve", "error", err)
			return 1
		}
		return 0
	default:
		fmt.Fprintf(stderr, "probe: unknown command %q\n%s", args[0], usage)
		return 2
	}
}

func serve(ctx context.Context, v *vantage.Vantage, cfg config.Config, log *slog.Logger) error {
	h, err := assemble.Handler(v, cfg, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("", strconv.Itoa(cfg.Port)))
	if err != nil {
		return fmt.Errorf("listen on PORT %d: %w", cfg.Port, err)
	}
	log.Info("serving", "addr", ln.Addr().String(), "vantage", cfg.Vantage, "interval", cfg.Interval.String())
	cfg.Topology().Log(log)
	go v.Run(ctx, cfg.Interval)
	return serveHTTP(ctx, ln, h, cfg.ProbeTimeout+10*time.Second)
}

// serveHTTP serves h on ln until ctx ends, then shuts down gracefully.
// writeTimeout bounds the longest answer: one check for a peer's reply.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, writeTimeout time.Duration) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		// Peer bodies are tiny and a reply waits at most for one check, so
		// a client that trickles bytes or never reads is cut off.
		ReadTimeout:    10 * time.Second,
		WriteTimeout:   writeTimeout,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 16 << 10, // the signature headers are under 1 KiB
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
