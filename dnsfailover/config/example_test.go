package config_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
)

// A main calls config.Load; whether the Config came from the environment
// or from code, every problem is printed, one per line, before exiting.
func ExampleValidationError() {
	c := config.Config{
		Record: "assets.example.com", RecordType: "A",
		PrimaryTarget: "192.0.2.10", StandbyTarget: "192.0.2.10",
		PrimaryCheck: "https://primary.example.net/canary.txt", StandbyCheck: "s3://standby/canary.txt",
		Vantage: "aws:us-east-1", Quorum: 2,
		LatencyBudget: 2 * time.Second, ProbeTimeout: 3 * time.Second, Interval: 10 * time.Second,
		PeerTimeout: 2 * time.Second, ClockSkew: 30 * time.Second,
		FailAfter: 3, RecoverAfter: 5, Failback: "manual",
		DNSProvider: "cloudflare", RecordTTL: 60, CloudflareAPIURL: "https://api.cloudflare.com/client/v4",
		CloudflareZoneID: "023e105f4ecef8ad9ca31a8372d0c353", CloudflareAPIToken: "token",
	}
	var invalid *config.ValidationError
	if err := c.Validate(); errors.As(err, &invalid) {
		for _, p := range invalid.Problems {
			fmt.Println(p) // a main writes these to stderr, then exits 2
		}
	}
	// Output:
	// SWITCHYARD_STANDBY_TARGET: "192.0.2.10" is the same as SWITCHYARD_PRIMARY_TARGET: failing over would change nothing
	// SWITCHYARD_QUORUM: 2 is larger than the 1 configured vantage point
}
