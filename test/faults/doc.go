// Package faults is switchyard's fault campaign: tests that inject real
// faults (into the local Cloudflare-compatible API, the network of a
// vantage point, its clock, the origins, the peer endpoint) and check what
// must hold: the record and its state TXT are always fully old or fully
// new, nothing is deleted, a generation is written once per decision, no
// stale writer wins, failures are reported rather than looped on, and no
// secret leaks. Each test reports the figures of its README "Reliability"
// row (see report in helpers_test.go).
//
// Run: go test -race ./test/faults/ ; more trials:
// SWITCHYARD_FAULT_TRIALS=200 go test ./test/faults/ ; rows as JSON lines:
// SWITCHYARD_FAULT_REPORT=/tmp/rows.jsonl go test ./test/faults/
package faults
