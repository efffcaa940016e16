package notify

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Options configures a Notifier.
type Options struct {
	Sinks []Sink
	// Attempts bounds the deliveries tried per event and receiver before
	// the event is dropped (logged and counted). Default 6.
	Attempts int
	// Backoff is the first wait between attempts; it doubles up to 32
	// times itself, with jitter. Default 1s (6 attempts span about a minute).
	Backoff time.Duration
	// Timeout of one attempt. Default 10s.
	Timeout time.Duration
	// Queue is how many events wait per receiver; when full, new events
	// are dropped and counted rather than blocking a round. Default 64.
	Queue int
	Log   *slog.Logger
}

// Stats is one receiver's delivery record, shown in GET /status.
type Stats struct {
	Sent      uint64 `json:"sent"`
	Failures  uint64 `json:"failed_attempts"`
	Dropped   uint64 `json:"dropped"`
	Queued    int    `json:"queued"`
	LastError string `json:"last_error,omitempty"`
}

// Notifier delivers events to every receiver in the background: Notify
// never blocks and never fails. Each receiver has its own queue and
// worker, so a dead Slack webhook does not hold up a page.
type Notifier struct {
	o       Options
	workers []*worker
	wg      sync.WaitGroup
	cancel  context.CancelFunc
}

type worker struct {
	sink  Sink
	queue chan Event
	mu    sync.Mutex
	stats Stats
	busy  int           // events queued or in delivery
	idle  chan struct{} // closed while busy == 0
}

// New starts a Notifier; Close stops it. A nil *Notifier is valid and
// does nothing, so callers need not check whether notifications are
// configured.
func New(o Options) *Notifier {
	if o.Attempts <= 0 {
		o.Attempts = 6
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Queue <= 0 {
		o.Queue = 64
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &Notifier{o: o, cancel: cancel}
	for _, s := range o.Sinks {
		w := &worker{sink: s, queue: make(chan Event, o.Queue), idle: make(chan struct{})}
		close(w.idle)
		n.workers = append(n.workers, w)
		n.wg.Add(1)
		go func() { defer n.wg.Done(); n.run(ctx, w) }()
	}
	return n
}

// FromTargets builds the sinks of targets. webhookKey signs webhooks;
// pagerDutyURL overrides the Events API endpoint (tests, the local world).
func FromTargets(targets []Target, webhookKey []byte, pagerDutyURL string, c *http.Client) []Sink {
	if c == nil {
		c = &http.Client{}
	}
	var sinks []Sink
	for _, t := range targets {
		switch t.Kind {
		case "slack":
			sinks = append(sinks, &Slack{URL: t.Value, HTTP: c})
		case "pagerduty":
			sinks = append(sinks, &PagerDuty{RoutingKey: t.Value, URL: pagerDutyURL, HTTP: c})
		case "webhook":
			sinks = append(sinks, &Webhook{URL: t.Value, Key: webhookKey, HTTP: c})
		}
	}
	return sinks
}

// Notify queues e for every receiver and returns at once.
func (n *Notifier) Notify(e Event) {
	if n == nil {
		return
	}
	for _, w := range n.workers {
		w.mu.Lock()
		select {
		case w.queue <- e:
			if w.busy == 0 {
				w.idle = make(chan struct{})
			}
			w.busy++
		default:
			w.stats.Dropped++
			n.o.Log.Error("notification dropped: queue full", "receiver", w.sink.Name(), "event", e.Kind)
		}
		w.mu.Unlock()
	}
}

// Flush waits until every queued event was delivered or dropped, or ctx
// ends. A Lambda invocation calls it before returning, since a frozen
// execution environment delivers nothing.
func (n *Notifier) Flush(ctx context.Context) error {
	if n == nil {
		return nil
	}
	for _, w := range n.workers {
		w.mu.Lock()
		idle := w.idle
		w.mu.Unlock()
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Close stops delivery; queued events are dropped.
func (n *Notifier) Close() {
	if n == nil {
		return
	}
	n.cancel()
	n.wg.Wait()
}

// Stats returns each receiver's record, keyed by receiver kind (numbered
// when a kind repeats: webhook, webhook#2).
func (n *Notifier) Stats() map[string]Stats {
	if n == nil || len(n.workers) == 0 {
		return nil
	}
	out := map[string]Stats{}
	seen := map[string]int{}
	for _, w := range n.workers {
		name := w.sink.Name()
		if seen[name]++; seen[name] > 1 {
			name += "#" + strconv.Itoa(seen[name])
		}
		w.mu.Lock()
		s := w.stats
		s.Queued = len(w.queue)
		w.mu.Unlock()
		out[name] = s
	}
	return out
}

func (n *Notifier) run(ctx context.Context, w *worker) {
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-w.queue:
			n.deliver(ctx, w, e)
			w.mu.Lock()
			if w.busy--; w.busy == 0 {
				close(w.idle)
			}
			w.mu.Unlock()
		}
	}
}

// deliver tries e up to Attempts times with doubling, jittered waits.
func (n *Notifier) deliver(ctx context.Context, w *worker, e Event) {
	wait := n.o.Backoff
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, n.o.Timeout)
		err := w.sink.Send(actx, e)
		cancel()
		w.mu.Lock()
		if err == nil {
			w.stats.Sent++
			w.mu.Unlock()
			return
		}
		w.stats.Failures++
		w.stats.LastError = err.Error()
		var perm *PermanentError
		final := errors.As(err, &perm) || attempt >= n.o.Attempts || ctx.Err() != nil
		if final {
			w.stats.Dropped++
		}
		w.mu.Unlock()
		if final {
			n.o.Log.Error("notification dropped", "receiver", w.sink.Name(), "event", e.Kind, "attempts", attempt, "error", err)
			return
		}
		n.o.Log.Warn("notification failed; retrying", "receiver", w.sink.Name(), "event", e.Kind, "attempt", attempt, "error", err)
		// Up to a quarter less, so receivers that failed together do not
		// all retry together.
		d := wait - time.Duration(rand.Int64N(int64(wait)/4+1))
		select {
		case <-ctx.Done():
		case <-time.After(d):
		}
		wait = min(2*wait, 32*n.o.Backoff)
	}
}
