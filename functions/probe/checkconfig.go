package main

import (
	"fmt"
	"io"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
)

// checkConfig is `probe check-config`: it loads and validates the
// configuration as `probe serve` would, and explains it instead of
// running. Exit 0: valid and the topology passes; 1: valid, but the
// topology fails a test (it would still run: the verdict is a warning);
// 2: invalid, every problem listed.
func checkConfig(stdout io.Writer) int {
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintf(stdout, "probe: configuration:\n%v\n", err)
		return 2
	}
	if err := cfg.Explain(stdout); err != nil {
		return 1
	}
	if !cfg.Topology().OK() {
		return 1
	}
	fmt.Fprintln(stdout, "\nconfiguration ok")
	return 0
}
