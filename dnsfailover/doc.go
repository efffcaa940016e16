// Package dnsfailover is the switchyard library: configuration, probes,
// votes and quorum, the failover state machine, the state codec and the DNS
// providers. It holds no Lambda or HTTP-server wiring; that lives in
// functions/ and infra/.
package dnsfailover
