// Command failover is switchyard's manual control: see what switchyard
// sees, move traffic by hand and pin it, hand it back to automation.
//
//	failover [--env-file F] status [--json]
//	failover [--env-file F] standby|primary [--reason T] [--force] [--dry-run] [--yes]
//	failover [--env-file F] auto [--reason T] [--dry-run] [--yes]
//	failover [--env-file F] hold --for D [--reason T] [--dry-run] [--yes]
//
// With AWS_LAMBDA_RUNTIME_API set it runs as a Lambda instead, taking the
// payload {"action":"status|standby|primary|auto|hold","reason":"…","force":false,"dry_run":false,"for":"2h"}.
// The logic lives in dnsfailover/manual; this is wiring.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/manual"
	"github.com/switchyard-dns/switchyard/functions/internal/lambdaform"
)

func main() {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") == "" {
		os.Exit(runCLI(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	// The template gives secrets as references (ssm:/…, ARNs) like the
	// probe's: fetch them once per cold start, before the config reads them.
	if err := lambdaform.ResolveSecrets(context.Background(), log); err != nil {
		log.Error("failover: resolve secrets", "error", err.Error())
		os.Exit(2)
	}
	m, cfg, err := build(log)
	if err != nil {
		log.Error("failover: configuration", "error", err.Error())
		os.Exit(2)
	}
	if len(cfg.Vantages()) > 0 {
		// Once per cold start, as the probe does: the verdict only; the
		// smallest fix is searched when status or a drill asks for it.
		cfg.TopologyVerdict().Log(log)
	}
	lambda.Start(withDrill(m, log, os.Stdout))
}

// build loads the operator's configuration (config.LoadOperator: no
// vantage id or peer secret needed) and wires a Manual from it.
func build(log *slog.Logger) (*manual.Manual, config.Config, error) {
	cfg, err := config.LoadOperator()
	if err != nil {
		return nil, cfg, err
	}
	m, err := assemble.Manual(cfg, assemble.Deps{Log: log})
	return m, cfg, err
}
