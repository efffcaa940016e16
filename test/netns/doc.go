// Package netns holds switchyard's tests with real network separation: each
// vantage point runs as a real `probe serve` process in a Linux network
// namespace of its own, the origins and the DNS service in others, all
// joined through a router namespace by veth pairs, and links are cut for
// real (link down, blackhole rules) to play partitions.
//
// The tests need root and iproute2 (`ip netns`); without them they skip and
// say so. They create only namespaces of their own, named sy<pid>x<n>-*,
// never touch the host's network namespace, and remove everything they made,
// even when a test fails.
package netns
