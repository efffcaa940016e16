package probe_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/probe"
)

func ExampleNew() {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/canary.txt" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, "switchyard canary v1\n")
	}))
	defer origin.Close()

	history := probe.NewHistory(5) // keep max(FAIL_AFTER, RECOVER_AFTER)
	for _, path := range []string{"/canary.txt", "/gone.txt", "/gone.txt"} {
		check, err := probe.New(probe.Spec{
			URL:           origin.URL + path,
			Contains:      "canary",
			LatencyBudget: 2 * time.Second,
			Timeout:       3 * time.Second,
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		r := check(context.Background())
		history.Add(r)
		fmt.Printf("ok=%v status=%d reason=%q\n", r.OK, r.Status, r.Reason)
	}
	fmt.Println("consecutive failures:", probe.ConsecutiveFailures(history.Results()))
	// Output:
	// ok=true status=200 reason=""
	// ok=false status=404 reason="status 404 Not Found"
	// ok=false status=404 reason="status 404 Not Found"
	// consecutive failures: 2
}
