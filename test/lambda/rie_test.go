// Package lambda runs the real probe bootstrap under the AWS Lambda Runtime
// Interface Emulator (aws-lambda-rie) against the local world: the same
// binary `sam build` ships, invoked with golden events.
//
// The tests skip when aws-lambda-rie is not installed (rie.Install says
// how; scripts/test installs it).
package lambda

import (
	"strings"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
)

// envOf is the function's environment for c: every variable that is set.
func envOf(c config.Config) map[string]string {
	env := map[string]string{}
	for _, kv := range c.Environ() {
		if name, value, _ := strings.Cut(kv, "="); value != "" {
			env[name] = value
		}
	}
	return env
}
