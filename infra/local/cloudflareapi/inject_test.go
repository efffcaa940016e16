package cloudflareapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/infra/local/cloudflareapi"
)

const injToken = "inject-test-token"

func injServer(t *testing.T) (*cloudflareapi.Server, *httptest.Server, cloudflareapi.Record) {
	t.Helper()
	api := cloudflareapi.New(cloudflareapi.Options{Token: injToken})
	rec := api.Add(cloudflareapi.Record{Name: "a.example.com", Type: "TXT", Content: `"old"`, TTL: 60})
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(api.ClearFaults) // free held requests before the server closes
	return api, srv, rec
}

func do(ctx context.Context, t *testing.T, method, url, body string) (int, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+injToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, nil
}

func TestInjectedFaults(t *testing.T) {
	ctx := context.Background()
	t.Run("status on batches only", func(t *testing.T) {
		api, srv, rec := injServer(t)
		api.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultStatus, Status: 502, Match: cloudflareapi.Batches, Times: 1})
		base := srv.URL + "/client/v4/zones/" + api.ZoneID() + "/dns_records"
		if code, err := do(ctx, t, "GET", base, ""); err != nil || code != 200 {
			t.Fatalf("read: %d %v, want 200: the fault is on batches only", code, err)
		}
		batch := `{"patches":[{"id":"` + rec.ID + `","content":"\"new\""}]}`
		if code, err := do(ctx, t, "POST", base+"/batch", batch); err != nil || code != 502 {
			t.Fatalf("first batch: %d %v, want 502", code, err)
		}
		if got := api.Records()[0].Content; got != `"old"` {
			t.Fatalf("a failed batch changed the record to %s", got)
		}
		if code, err := do(ctx, t, "POST", base+"/batch", batch); err != nil || code != 200 {
			t.Fatalf("second batch: %d %v, want 200 (Times: 1)", code, err)
		}
	})
	t.Run("reset changes nothing", func(t *testing.T) {
		api, srv, rec := injServer(t)
		api.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultReset})
		batch := `{"patches":[{"id":"` + rec.ID + `","content":"\"new\""}]}`
		_, err := do(ctx, t, "POST", srv.URL+"/client/v4/zones/"+api.ZoneID()+"/dns_records/batch", batch)
		if err == nil {
			t.Fatal("a reset request got an answer")
		}
		if got := api.Records()[0].Content; got != `"old"` {
			t.Fatalf("a reset batch changed the record to %s", got)
		}
		if c := api.Calls(); len(c) != 1 || c[0].Status != 0 {
			t.Fatalf("calls = %+v, want one with status 0 (no answer)", c)
		}
	})
	t.Run("reset after commit", func(t *testing.T) {
		api, srv, rec := injServer(t)
		api.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultResetAfterCommit, Times: 1})
		batch := `{"patches":[{"id":"` + rec.ID + `","content":"\"new\""}]}`
		if _, err := do(ctx, t, "POST", srv.URL+"/client/v4/zones/"+api.ZoneID()+"/dns_records/batch", batch); err == nil {
			t.Fatal("the answer was not lost")
		}
		if got := api.Records()[0].Content; got != `"new"` {
			t.Fatalf("record = %s, want the batch committed", got)
		}
	})
	t.Run("hang until the client gives up", func(t *testing.T) {
		api, srv, _ := injServer(t)
		api.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultHang})
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		_, err := do(cctx, t, "GET", srv.URL+"/client/v4/zones/"+api.ZoneID()+"/dns_records", "")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want the client's deadline", err)
		}
	})
	t.Run("delay commits late", func(t *testing.T) {
		api, srv, rec := injServer(t)
		api.Inject(cloudflareapi.Fault{Kind: cloudflareapi.FaultDelay, Match: cloudflareapi.Batches, Times: 1})
		done := make(chan struct{})
		batch := `{"patches":[{"id":"` + rec.ID + `","content":"\"late\""}]}`
		go func() {
			defer close(done)
			_, _ = do(ctx, t, "POST", srv.URL+"/client/v4/zones/"+api.ZoneID()+"/dns_records/batch", batch)
		}()
		// The held batch has not run; release it and it commits.
		if got := api.Records()[0].Content; got != `"old"` {
			t.Fatalf("record = %s before release", got)
		}
		api.ClearFaults()
		<-done
		if got := api.Records()[0].Content; got != `"late"` {
			t.Fatalf("record = %s, want the delayed batch committed", got)
		}
	})
}

func TestRequestsIn(t *testing.T) {
	api, srv, _ := injServer(t)
	for range 5 {
		if _, err := do(context.Background(), t, "GET", srv.URL+"/client/v4/zones/"+api.ZoneID()+"/dns_records", ""); err != nil {
			t.Fatal(err)
		}
	}
	if n := api.RequestsIn(time.Hour); n != 5 {
		t.Errorf("RequestsIn(1h) = %d, want 5", n)
	}
	if n := api.RequestsIn(time.Nanosecond); n != 1 {
		t.Errorf("RequestsIn(1ns) = %d, want 1", n)
	}
}
