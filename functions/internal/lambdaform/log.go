package lambdaform

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Invocation remembers the request id of the invocation in progress. A
// Lambda execution environment runs one invocation at a time, so every
// log line written meanwhile, including those of code that logs without
// a context (the vantage point, the peer client), belongs to it.
type Invocation struct {
	id atomic.Pointer[string]
}

// Begin records ctx's request id and returns it ("" outside Lambda).
func (i *Invocation) Begin(ctx context.Context) string {
	id := ""
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		id = lc.AwsRequestID
	}
	i.id.Store(&id)
	return id
}

// End forgets the request id: lines written between invocations (there
// should be none) carry none.
func (i *Invocation) End() { i.id.Store(nil) }

func (i *Invocation) current() string {
	if p := i.id.Load(); p != nil {
		return *p
	}
	return ""
}

// NewLogger returns a JSON logger writing to w whose every line carries
// "requestId" while an invocation is in progress.
func NewLogger(w io.Writer, level slog.Leveler) (*slog.Logger, *Invocation) {
	inv := &Invocation{}
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})
	return slog.New(&requestIDHandler{Handler: h, inv: inv}), inv
}

type requestIDHandler struct {
	slog.Handler
	inv *Invocation
}

func (h *requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := h.inv.current(); id != "" {
		r.AddAttrs(slog.String("requestId", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h *requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &requestIDHandler{Handler: h.Handler.WithAttrs(as), inv: h.inv}
}

func (h *requestIDHandler) WithGroup(name string) slog.Handler {
	return &requestIDHandler{Handler: h.Handler.WithGroup(name), inv: h.inv}
}
