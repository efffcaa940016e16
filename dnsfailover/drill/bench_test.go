package drill_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/switchyard-dns/switchyard/dnsfailover/assemble"
	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/dnsfailover/drill"
	"github.com/switchyard-dns/switchyard/infra/local/world"
)

// BenchmarkDrill times whole drills against the in-process local world and
// reports the switch (write + read-back + authoritative answer) of each
// direction: the figures the README quotes.
//
//	go test -run '^$' -bench Drill ./dnsfailover/drill/
func BenchmarkDrill(b *testing.B) {
	c := localWorldB(b)
	var toStandby, toPrimary float64
	for b.Loop() {
		rep, err := drill.Run(context.Background(), drill.Options{Config: c, By: "bench", Deps: assemble.Deps{PeerHTTP: &http.Client{}}})
		if err != nil || !rep.Passed {
			b.Fatalf("drill: %v %s", err, rep.Reason)
		}
		for _, s := range rep.Steps {
			switch s.Name {
			case "write standby", "read back standby", "DNS answers standby":
				toStandby += s.MS
			case "write primary", "read back primary", "DNS answers primary":
				toPrimary += s.MS
			}
		}
	}
	b.ReportMetric(toStandby/float64(b.N), "ms-switch-to-standby/op")
	b.ReportMetric(toPrimary/float64(b.N), "ms-switch-back/op")
}

func localWorldB(b *testing.B) config.Config {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w, err := world.Start(ctx, world.Options{ParityKeys: []string{"img/logo.png", "index.html"}})
	if err != nil {
		cancel()
		b.Fatal(err)
	}
	b.Cleanup(func() { cancel(); w.Close() })
	return operatorWithSecret(w)
}
