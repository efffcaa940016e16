package faults

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// origin is a real server that counts what reached it.
func origin(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func hostOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func get(ctx context.Context, tr *Transport, target string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	return err
}

func TestFaults(t *testing.T) {
	const hang = 50 * time.Millisecond // how long a caller waits on a cut host
	tests := []struct {
		name    string
		setup   func(tr *Transport, host string)
		want    Kind // "" when the request must get through
		timeout bool // the error is a net.Error timeout
		cause   error
	}{
		{"no fault", func(*Transport, string) {}, "", false, nil},
		{"cut", func(tr *Transport, h string) { tr.Cut(h) }, Cut, true, context.DeadlineExceeded},
		{"cut every host", func(tr *Transport, h string) { tr.Cut(AllHosts) }, Cut, true, context.DeadlineExceeded},
		{"cut another host", func(tr *Transport, h string) { tr.Cut("192.0.2.1:80") }, "", false, nil},
		{"refuse", func(tr *Transport, h string) { tr.Refuse(h) }, Refused, false, syscall.ECONNREFUSED},
		{"refuse then cut: last wins", func(tr *Transport, h string) { tr.Refuse(h); tr.Cut(h) }, Cut, true, context.DeadlineExceeded},
		{"cut then refuse: last wins", func(tr *Transport, h string) { tr.Cut(h); tr.Refuse(h) }, Refused, false, syscall.ECONNREFUSED},
		{"refuse beats an all-hosts cut", func(tr *Transport, h string) { tr.Cut(AllHosts); tr.Refuse(h) }, Refused, false, syscall.ECONNREFUSED},
		{"healed", func(tr *Transport, h string) { tr.Cut(h); tr.Heal(h) }, "", false, nil},
		{"heal one host leaves all-hosts cut", func(tr *Transport, h string) { tr.Cut(AllHosts); tr.Heal(h) }, Cut, true, context.DeadlineExceeded},
		{"heal all", func(tr *Transport, h string) { tr.Cut(AllHosts); tr.Refuse(h); tr.HealAll() }, "", false, nil},
		{"delay past the deadline", func(tr *Transport, h string) { tr.Delay(h, time.Hour) }, Delayed, true, context.DeadlineExceeded},
		{"total loss", func(tr *Transport, h string) { tr.Loss(h, 1, nil) }, Lost, true, context.DeadlineExceeded},
		{"no loss", func(tr *Transport, h string) { tr.Loss(h, 0, nil) }, "", false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, hits := origin(t)
			tr := New(nil)
			tc.setup(tr, hostOf(t, srv.URL))
			ctx, cancel := context.WithTimeout(context.Background(), hang)
			defer cancel()
			err := get(ctx, tr, srv.URL)
			if tc.want == "" {
				if err != nil || hits.Load() != 1 {
					t.Fatalf("err = %v, hits = %d; want the request served", err, hits.Load())
				}
				return
			}
			var fe *Error
			if !errors.As(err, &fe) || fe.Kind != tc.want {
				t.Fatalf("err = %v, want a %q fault", err, tc.want)
			}
			if !errors.Is(err, tc.cause) {
				t.Errorf("err = %v, want it to wrap %v", err, tc.cause)
			}
			var ne net.Error
			if !errors.As(err, &ne) || ne.Timeout() != tc.timeout {
				t.Errorf("err = %v: net.Error timeout = %v, want %v", err, ne != nil && ne.Timeout(), tc.timeout)
			}
			if hits.Load() != 0 {
				t.Errorf("a failed request reached the server")
			}
		})
	}
}

func TestRefuseFailsAtOnce(t *testing.T) {
	srv, _ := origin(t)
	tr := New(nil)
	tr.Refuse(hostOf(t, srv.URL))
	// No deadline: a refused request must not wait for one.
	err := get(context.Background(), tr, srv.URL)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("err = %v, want connection refused", err)
	}
}

func TestHostIsCaseInsensitive(t *testing.T) {
	srv, _ := origin(t)
	port := hostOf(t, srv.URL)[strings.LastIndex(hostOf(t, srv.URL), ":"):]
	tr := New(nil)
	tr.Refuse("LocalHost" + port)
	if err := get(context.Background(), tr, "http://localhost"+port); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("err = %v, want the fault set for LocalHost%s", err, port)
	}
}

func TestCutEndsOnCancel(t *testing.T) {
	srv, _ := origin(t)
	tr := New(nil)
	tr.Cut(hostOf(t, srv.URL))
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- get(ctx, tr, srv.URL) }()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context canceled", err)
	}
}

func TestCutWithClientTimeout(t *testing.T) {
	srv, _ := origin(t)
	tr := New(nil)
	tr.Cut(hostOf(t, srv.URL))
	c := &http.Client{Transport: tr, Timeout: 50 * time.Millisecond}
	_, err := c.Get(srv.URL)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

func TestDelayThenServed(t *testing.T) {
	srv, hits := origin(t)
	tr := New(nil)
	const d = 30 * time.Millisecond
	tr.Delay(hostOf(t, srv.URL), d)
	start := time.Now()
	if err := get(context.Background(), tr, srv.URL); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < d || hits.Load() != 1 {
		t.Errorf("took %v with %d hits, want at least %v and 1 hit", took, hits.Load(), d)
	}
}

// TestLossIsSeeded checks that a seeded rng decides which requests are lost,
// request by request, so a scenario replays the same way.
func TestLossIsSeeded(t *testing.T) {
	const n, p = 32, 0.5
	srv, _ := origin(t)
	host := hostOf(t, srv.URL)
	tr := New(nil)
	tr.Loss(host, p, rand.New(rand.NewPCG(7, 11)))
	expect := rand.New(rand.NewPCG(7, 11))

	// An already cancelled context makes a lost request return at once; one
	// that gets through fails in the base transport instead, with no *Error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	lost := 0
	for i := range n {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		_, err := tr.RoundTrip(req)
		var fe *Error
		gotLost := errors.As(err, &fe) && fe.Kind == Lost
		if wantLost := expect.Float64() < p; gotLost != wantLost {
			t.Errorf("request %d: lost = %v, want %v (err %v)", i, gotLost, wantLost, err)
		}
		if gotLost {
			lost++
		}
	}
	if lost == 0 || lost == n {
		t.Errorf("%d of %d lost with p=%v: the seed does not exercise both outcomes", lost, n, p)
	}
}

type closeRecorder struct {
	io.Reader
	closed atomic.Bool
}

func (c *closeRecorder) Close() error { c.closed.Store(true); return nil }

func TestFailedRequestClosesBody(t *testing.T) {
	srv, _ := origin(t)
	tr := New(nil)
	tr.Refuse(hostOf(t, srv.URL))
	body := &closeRecorder{Reader: strings.NewReader("payload")}
	req, _ := http.NewRequest(http.MethodPost, srv.URL, body)
	if _, err := tr.RoundTrip(req); err == nil {
		t.Fatal("refused request succeeded")
	}
	if !body.closed.Load() {
		t.Error("request body not closed on failure")
	}
}

// TestConcurrentUse runs requests while faults change; -race checks it.
func TestConcurrentUse(t *testing.T) {
	srv, _ := origin(t)
	host := hostOf(t, srv.URL)
	tr := New(nil)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 20 {
				switch (i + j) % 5 {
				case 0:
					tr.Refuse(host)
				case 1:
					tr.Loss(AllHosts, 0.3, rand.New(rand.NewPCG(uint64(i), uint64(j))))
				case 2:
					tr.Delay(host, time.Millisecond)
				case 3:
					tr.Heal(host)
				default:
					tr.HealAll()
				}
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
				_ = get(ctx, tr, srv.URL) // any outcome; only races matter here
				cancel()
			}
		})
	}
	wg.Wait()
}
