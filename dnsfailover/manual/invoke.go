package manual

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/switchyard-dns/switchyard/dnsfailover/state"
)

// Request is the invoke payload of the failover function's Lambda form:
//
//	{"action":"status|standby|primary|auto","reason":"…","force":false,"dry_run":false,"by":"alice"}
//
// Only action is required; by (who asked, default "lambda") is optional.
type Request struct {
	Action string `json:"action"`
	Reason string `json:"reason,omitempty"`
	Force  bool   `json:"force,omitempty"`
	DryRun bool   `json:"dry_run,omitempty"`
	By     string `json:"by,omitempty"`
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
		return &InputError{Msg: "bad payload: " + err.Error() + `: want {"action":"status|standby|primary|auto","reason":"…","force":false,"dry_run":false}`}
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
	case "":
		return Response{}, &InputError{Msg: `bad payload: no action: want "status", "standby", "primary" or "auto"`}
	default:
		return Response{}, &InputError{Msg: fmt.Sprintf("unknown action %q: want status, standby, primary or auto", short(req.Action))}
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
