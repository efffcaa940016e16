package faults

import (
	"context"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

// plan is what happens to one request, decided under the lock so the rng
// draws stay in order and the faults cannot change halfway.
type plan struct {
	refused bool
	cut     bool
	lost    bool // dropped by a Loss draw
	delay   time.Duration
}

func (p plan) fails() bool { return p.refused || p.cut || p.lost }

// plan merges the all-hosts faults with host's: either may refuse or cut,
// delays add up (latency along the path), and each loss draws on its own.
func (t *Transport) plan(host string) plan {
	t.mu.Lock()
	defer t.mu.Unlock()
	keys := []string{AllHosts}
	if host != AllHosts {
		keys = append(keys, host)
	}
	var p plan
	for _, key := range keys {
		f := t.faults[key]
		if f == nil {
			continue
		}
		p.refused = p.refused || f.refused
		p.cut = p.cut || f.cut
		p.delay += f.delay
		if f.loss > 0 && f.rng.Float64() < f.loss {
			p.lost = true
		}
	}
	// A refused connection fails before any packet could be lost.
	if p.refused {
		p.cut, p.lost = false, false
	}
	return p
}

// play fails the request as the network would: at once for refused, and for
// a cut or lost one only when the caller stops waiting.
func (p plan) play(ctx context.Context, host string) error {
	if p.refused {
		return &Error{Host: host, Kind: Refused, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	kind := Lost
	if p.cut {
		kind = Cut
	}
	<-ctx.Done()
	return &Error{Host: host, Kind: kind, Err: ctx.Err()}
}

// wait sleeps d unless ctx ends first.
func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Kind names the fault that failed a request.
type Kind string

// The faults a request can fail on.
const (
	Cut     Kind = "cut"     // blackholed: hung until the context ended
	Lost    Kind = "lost"    // dropped by Loss: hung until the context ended
	Refused Kind = "refused" // connection refused at once
	Delayed Kind = "delayed" // the context ended during the added latency
)

// Error is a request failed by a played fault. It unwraps to the cause a
// real network would give (syscall.ECONNREFUSED, or the context's error), and
// is a net.Error whose Timeout is true when the caller gave up waiting, so
// code that classifies network errors sees what it would see for real.
type Error struct {
	Host string
	Kind Kind
	Err  error
}

func (e *Error) Error() string {
	return fmt.Sprintf("faults: %s to %s: %v", e.Kind, e.Host, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Timeout reports whether the request failed because its caller stopped
// waiting, as with a blackholed route.
func (e *Error) Timeout() bool {
	return e.Kind != Refused
}

// Temporary is part of net.Error; played faults all pass once healed.
func (e *Error) Temporary() bool { return true }

var _ net.Error = (*Error)(nil)
