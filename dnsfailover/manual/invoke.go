package manual

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// Request is the invoke payload of the failover function's Lambda form:
//
//	{"action":"status|standby|primary|auto","reason":"…","force":false,"dry_run":false,"by":"alice"}
//	{"action":"hold","for":"2h","reason":"…","dry_run":false,"by":"alice"}
//
// Only action is required (and for, with hold); by (who asked, default
// "lambda") is optional.
type Request struct {
	Action string `json:"action"`
	Reason string `json:"reason,omitempty"`
	Force  bool   `json:"force,omitempty"`
	DryRun bool   `json:"dry_run,omitempty"`
	By     string `json:"by,omitempty"`
	// For is how long a hold lasts, as a Go duration ("2h", "90m"); only
	// with hold, where it is required.
	For string `json:"for,omitempty"`
}

// UnmarshalJSON decodes strictly: an unknown field (a typo such as
// "dryrun") or a value of the wrong type is an *InputError, so that a
// payload that does not say exactly what it means changes nothing.
func (r *Request) UnmarshalJSON(b []byte) error {
	type plain Request // no methods: no recursion
	var p plain
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return &InputError{Msg: "bad payload: " + err.Error() + `: want {"action":"status|standby|primary|auto|hold","reason":"…","force":false,"dry_run":false,"for":"2h"}`}
	}
	*r = Request(p)
	return nil
}

// Response is what an invocation returns: the record before and after.
type Response = Result

// Invoke carries out one invoke payload. It is the Lambda handler's body;
// errors are the named types of this package, so the invocation's
// errorType says what went wrong (RefusedError, InputError, DNSError).
func (m *Manual) Invoke(ctx context.Context, req Request) (Response, error) {
	by := req.By
	if by == "" {
		by = "lambda"
	}
	o := MoveOptions{Reason: req.Reason, Force: req.Force, DryRun: req.DryRun, By: by}
	if req.For != "" && req.Action != "hold" {
		return Response{}, &InputError{Msg: fmt.Sprintf("bad payload: for %q is only for hold", short(req.For))}
	}
	switch req.Action {
	case "status":
		if req.Force || req.DryRun || req.Reason != "" {
			return Response{}, &InputError{Msg: "bad payload: status takes no reason, force or dry_run"}
		}
		return m.StatusResult(ctx)
	case "standby", "primary":
		return m.Move(ctx, state.Side(req.Action), o)
	case "auto":
		if req.Force {
			return Response{}, &InputError{Msg: "bad payload: auto takes no force"}
		}
		return m.Auto(ctx, o)
	case "hold":
		if req.Force {
			return Response{}, &InputError{Msg: "bad payload: hold takes no force: the record stays where it is"}
		}
		if req.For == "" {
			return Response{}, &InputError{Msg: `bad payload: hold needs "for", how long it lasts, e.g. "for":"2h"`}
		}
		d, err := time.ParseDuration(req.For)
		if err != nil {
			return Response{}, &InputError{Msg: fmt.Sprintf(`bad payload: for %q: want a duration such as "2h" or "90m"`, short(req.For))}
		}
		return m.Hold(ctx, d, o)
	case "":
		return Response{}, &InputError{Msg: `bad payload: no action: want "status", "standby", "primary", "auto" or "hold"`}
	default:
		return Response{}, &InputError{Msg: fmt.Sprintf("unknown action %q: want status, standby, primary, auto or hold", short(req.Action))}
	}
}

// StatusResult is Status as a Result: before and after are the same view.
func (m *Manual) StatusResult(ctx context.Context) (Result, error) {
	rep, err := m.Status(ctx)
	if err != nil {
		return Result{}, err
	}
	return Result{Action: "status", Record: rep.Record, Before: rep.Current, After: rep.Current, Status: &rep}, nil
}

// short bounds a user-supplied string repeated in a message.
func short(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
