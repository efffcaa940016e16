package azureform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// PortVariable names the variable in which the Functions host gives the
// handler the port to listen on; its presence is how functions/probe knows
// it runs as a custom handler.
const PortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT"

// Headers the host sets on every invocation it sends the handler.
const (
	InvocationIDHeader = "X-Azure-Functions-InvocationId"
	HostVersionHeader  = "X-Azure-Functions-HostVersion"
)

// MaxEnvelope bounds an invocation envelope. A timer's is under 1 KiB.
const MaxEnvelope = 64 << 10

// Port returns the port the host gave the handler, with ok false when the
// variable is not set (not a custom handler) and an error naming the
// variable when it is set to something that is not a port.
func Port(lookup func(string) (string, bool)) (port int, ok bool, err error) {
	s, ok := lookup(PortVariable)
	if !ok {
		return 0, false, nil
	}
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, true, fmt.Errorf("%s=%q is not a TCP port", PortVariable, s)
	}
	return p, true, nil
}

// Request is the envelope of a non-HTTP invocation: Data holds the trigger
// and input bindings by binding name, Metadata the trigger's metadata.
type Request struct {
	Data     map[string]json.RawMessage `json:"Data"`
	Metadata map[string]json.RawMessage `json:"Metadata"`
}

// Response is the answer to an invocation: Outputs by output binding name,
// Logs as the invocation's log lines, ReturnValue for a $return binding
// (the host logs it for a function without one).
type Response struct {
	Outputs     map[string]any `json:"Outputs"`
	Logs        []string       `json:"Logs"`
	ReturnValue any            `json:"ReturnValue"`
}

// TimerInfo is a timer trigger's binding data, as the host serializes it.
type TimerInfo struct {
	Schedule       json.RawMessage `json:"Schedule"`
	ScheduleStatus *struct {
		Last        time.Time `json:"Last"`
		Next        time.Time `json:"Next"`
		LastUpdated time.Time `json:"LastUpdated"`
	} `json:"ScheduleStatus"`
	// IsPastDue is true when the occurrence ran late (the app was asleep
	// or an earlier invocation ran past it).
	IsPastDue bool `json:"IsPastDue"`
}

// Invocation is one non-HTTP invocation.
type Invocation struct {
	ID       string // the host's invocation id, for log lines
	Function string
	Request  Request
}

// Timer decodes the timer binding called binding.
func (inv Invocation) Timer(binding string) (TimerInfo, error) {
	var t TimerInfo
	raw, ok := inv.Request.Data[binding]
	if !ok {
		return t, fmt.Errorf("invocation of %s has no %q binding in Data", inv.Function, binding)
	}
	// The host serializes an input it cannot turn into a JSON object as a
	// string (GetHttpScriptInvocationContextValue); a timer that arrives
	// that way holds its JSON in the string.
	var text string
	if json.Unmarshal(raw, &text) == nil {
		raw = json.RawMessage(text)
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return t, fmt.Errorf("invocation of %s: binding %q is not a timer: %w", inv.Function, binding, err)
	}
	return t, nil
}

// Func runs one invocation. An error fails the invocation (the host logs
// it as the function's failure); a Response completes it.
type Func func(ctx context.Context, inv Invocation) (Response, error)

// Handler serves the Functions host: POST /<name> invokes fns[name] with
// the request's envelope, and every other request (the HTTP triggers the
// host proxies, and its readiness GET /) goes to next as it came.
//
// A custom handler listens on loopback only, so these paths are reachable
// only through the host: a timer function has no public route, and the
// HTTP functions' routes (function.json) must not be the names of fns.
func Handler(fns map[string]Func, next http.Handler) http.Handler {
	return &handler{fns: fns, next: next}
}

type handler struct {
	fns  map[string]Func
	next http.Handler
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/")
	fn, ok := h.fns[name]
	if !ok || r.Method != http.MethodPost {
		h.next.ServeHTTP(w, r)
		return
	}
	inv := Invocation{ID: r.Header.Get(InvocationIDHeader), Function: name}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxEnvelope))
	if err == nil {
		err = json.Unmarshal(body, &inv.Request)
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			err = fmt.Errorf("envelope larger than %d bytes", MaxEnvelope)
		}
		http.Error(w, fmt.Sprintf("invocation of %s: bad envelope: %v", name, err), http.StatusBadRequest)
		return
	}
	resp, err := fn(r.Context(), inv)
	if err != nil {
		// The host fails the invocation on any non-2xx answer and logs
		// the body with it.
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if resp.Outputs == nil {
		resp.Outputs = map[string]any{}
	}
	if resp.Logs == nil {
		resp.Logs = []string{}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// keyVaultReference starts an app setting that names a Key Vault secret
// (@Microsoft.KeyVault(SecretUri=...) or (VaultName=...;SecretName=...)).
const keyVaultReference = "@Microsoft.KeyVault("

// UnresolvedReferences returns the names of the variables in environ
// ("NAME=value" pairs) whose value is still a Key Vault reference. The
// platform resolves references before the process starts, and leaves the
// reference text in place when it cannot (the identity may not read the
// secret, the URI is wrong): used as a key, that text would fail every
// peer signature with no clue why, so the caller refuses to start instead.
// Values are never returned: only names.
func UnresolvedReferences(environ []string) []string {
	var names []string
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(strings.TrimSpace(value), keyVaultReference) {
			names = append(names, name)
		}
	}
	return names
}
