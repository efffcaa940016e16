package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/test/internal/rie"
	"github.com/switchyard-dns/switchyard/test/internal/testbin"
)

// appFiles is what infra/azure deploys: host.json and one function.json
// per function folder, read as the Functions host reads them.
type appFiles struct {
	Host struct {
		FunctionTimeout string `json:"functionTimeout"`
		CustomHandler   struct {
			Description struct {
				DefaultExecutablePath string   `json:"defaultExecutablePath"`
				Arguments             []string `json:"arguments"`
			} `json:"description"`
			EnableProxyingHTTPRequest bool `json:"enableProxyingHttpRequest"`
		} `json:"customHandler"`
		Extensions struct {
			HTTP struct {
				RoutePrefix *string `json:"routePrefix"`
			} `json:"http"`
		} `json:"extensions"`
	}
	Functions map[string][]binding // by folder name
}

type binding struct {
	Name       string   `json:"name"`
	Type       string   `json:"type"`
	Direction  string   `json:"direction"`
	Schedule   string   `json:"schedule"`
	AuthLevel  string   `json:"authLevel"`
	Methods    []string `json:"methods"`
	Route      string   `json:"route"`
	UseMonitor *bool    `json:"useMonitor"`
}

func readAppFiles(t testing.TB) appFiles {
	t.Helper()
	dir := filepath.Join(testbin.Root(t), "infra", "azure")
	var app appFiles
	readJSON(t, filepath.Join(dir, "host.json"), &app.Host)
	app.Functions = map[string][]binding{}
	matches, err := filepath.Glob(filepath.Join(dir, "*", "function.json"))
	if err != nil || len(matches) == 0 {
		t.Fatalf("no function.json under %s: %v", dir, err)
	}
	for _, m := range matches {
		var f struct{ Bindings []binding }
		readJSON(t, m, &f)
		app.Functions[filepath.Base(filepath.Dir(m))] = f.Bindings
	}
	return app
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// trigger returns the function's trigger binding.
func (a appFiles) trigger(t testing.TB, function string) binding {
	t.Helper()
	for _, b := range a.Functions[function] {
		if b.Direction == "in" && strings.HasSuffix(b.Type, "Trigger") {
			return b
		}
	}
	t.Fatalf("function %s has no trigger binding", function)
	return binding{}
}

// funcHost plays the Azure Functions host in front of the real probe
// binary, as Azure/azure-functions-host does for a custom handler: it
// starts the handler with FUNCTIONS_CUSTOMHANDLER_PORT, waits until GET /
// gets any answer, POSTs timer invocations to /<function> with the
// {"Data","Metadata"} envelope, and serves the app's HTTP triggers
// (routes and methods from function.json, routePrefix from host.json) by
// proxying each request unchanged to the handler
// (enableProxyingHttpRequest).
type funcHost struct {
	app   appFiles
	cmd   *exec.Cmd
	Out   *rie.Lines // the handler's stdout and stderr
	local string     // the handler's base URL, loopback
	// URL is the function app's public base URL (https://<app>.azurewebsites.net).
	URL string
	// Ready is the time from starting the process to its first answer.
	Ready time.Duration

	mu      sync.Mutex
	n       int    // invocations so far, for ids
	lastID  string // the last invocation id sent
	exited  chan struct{}
	exitErr error // set before exited is closed
}

// startHost starts binary as the app's custom handler with exactly env
// (plus what the host sets) and waits for it, as the host does, for at
// most its 60 s start limit.
func startHost(t testing.TB, app appFiles, binary string, env map[string]string) *funcHost {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	h := &funcHost{app: app, Out: &rie.Lines{}, local: "http://127.0.0.1:" + strconv.Itoa(port)}
	h.cmd = exec.Command(binary, app.Host.CustomHandler.Description.Arguments...)
	h.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "FUNCTIONS_CUSTOMHANDLER_PORT=" + strconv.Itoa(port),
		"FUNCTIONS_WORKER_RUNTIME=custom", "WEBSITE_SITE_NAME=switchyard-probe-test"}
	for k, v := range env {
		h.cmd.Env = append(h.cmd.Env, k+"="+v)
	}
	h.cmd.Stdout, h.cmd.Stderr = h.Out, h.Out
	h.exited = make(chan struct{})
	start := time.Now()
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { h.exitErr = h.cmd.Wait(); close(h.exited) }()
	t.Cleanup(func() {
		_ = h.cmd.Process.Kill()
		<-h.exited
		if t.Failed() {
			t.Logf("handler output:\n%s", h.Out.String())
		}
	})
	if err := h.waitReady(60 * time.Second); err != nil {
		t.Fatalf("custom handler not ready: %v\n%s", err, h.Out.String())
	}
	h.Ready = time.Since(start)

	front := httptest.NewServer(http.HandlerFunc(h.serveTrigger))
	t.Cleanup(front.Close)
	h.URL = front.URL
	return h
}

// waitReady polls GET / until any HTTP answer, as the host's
// IsWorkerReady does (a refused connection means "not yet").
func (h *funcHost) waitReady(limit time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(limit)
	for {
		resp, err := client.Get(h.local + "/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-h.exited:
			return fmt.Errorf("the handler exited: %v", h.exitErr)
		default:
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(time.Millisecond)
	}
}

// invocationID returns a fresh invocation id; the front serves requests
// concurrently.
func (h *funcHost) invocationID() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n++
	h.lastID = fmt.Sprintf("00000000-0000-4000-8000-%012d", h.n)
	return h.lastID
}

// LastID is the last invocation id the host sent.
func (h *funcHost) LastID() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lastID
}

// serveTrigger is the app's public endpoint: it finds the HTTP-triggered
// function whose route and methods match and proxies the request to the
// handler at its original path, with the host's headers added.
func (h *funcHost) serveTrigger(w http.ResponseWriter, r *http.Request) {
	prefix := "/api"
	if p := h.app.Host.Extensions.HTTP.RoutePrefix; p != nil {
		prefix = strings.TrimSuffix("/"+strings.Trim(*p, "/"), "/")
	}
	for name, bs := range h.app.Functions {
		for _, b := range bs {
			if b.Type != "httpTrigger" || r.URL.Path != prefix+"/"+cmpOr(b.Route, name) || !hasMethod(b.Methods, r.Method) {
				continue
			}
			if !h.app.Host.CustomHandler.EnableProxyingHTTPRequest {
				http.Error(w, "the test host plays only enableProxyingHttpRequest", http.StatusNotImplemented)
				return
			}
			target, _ := url.Parse(h.local)
			proxy := httputil.NewSingleHostReverseProxy(target)
			// The host's proxy (YARP, DefaultHttpProxyService) forwards the
			// request as it came, with the invocation id as a correlation
			// header and the X-Forwarded-* headers (ReverseProxy adds
			// X-Forwarded-For).
			r.Header.Set("X-Ms-Invocation-Id", h.invocationID())
			r.Header.Set("X-Forwarded-Proto", "https")
			proxy.ServeHTTP(w, r)
			return
		}
	}
	http.NotFound(w, r)
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func hasMethod(methods []string, m string) bool {
	for _, x := range methods {
		if strings.EqualFold(x, m) {
			return true
		}
	}
	return len(methods) == 0
}

// invokeResponse is the custom handler's answer to an invocation.
type invokeResponse struct {
	Outputs     map[string]json.RawMessage
	Logs        []string
	ReturnValue json.RawMessage
}

// Tick invokes the timer-triggered function as the host does when its
// schedule fires, and returns the handler's answer. A non-2xx status is a
// failed invocation, returned as an error with the body.
func (h *funcHost) Tick(t testing.TB, function string, pastDue bool) (invokeResponse, error) {
	t.Helper()
	b := h.app.trigger(t, function)
	if b.Type != "timerTrigger" {
		t.Fatalf("%s is a %s, not a timer", function, b.Type)
	}
	now := time.Now().UTC()
	timer, _ := json.Marshal(map[string]any{
		"Schedule":       map[string]any{"AdjustForDST": true},
		"ScheduleStatus": map[string]any{"Last": now.Add(-10 * time.Second), "Next": now.Add(10 * time.Second), "LastUpdated": now},
		"IsPastDue":      pastDue,
	})
	envelope, _ := json.Marshal(map[string]any{
		"Data": map[string]json.RawMessage{b.Name: timer},
		"Metadata": map[string]any{
			b.Name: json.RawMessage(timer),
			"sys":  map[string]any{"MethodName": function, "UtcNow": now, "RandGuid": "6b1f4f7e-5d4c-4b8a-9f7e-2c3d4e5f6a7b"},
		},
	})
	return h.invoke(t, function, envelope)
}

func (h *funcHost) invoke(t testing.TB, function string, envelope []byte) (invokeResponse, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.local+"/"+function, bytes.NewReader(envelope))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("X-Azure-Functions-InvocationId", h.invocationID())
	req.Header.Set("X-Azure-Functions-HostVersion", "4.1043.100.0")
	req.Header.Set("User-Agent", "Azure-Functions-Host/4.1043.100.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("invoke %s: %v", function, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return invokeResponse{}, fmt.Errorf("invocation failed: %d %s", resp.StatusCode, bytes.TrimSpace(body))
	}
	var out invokeResponse
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("answer to %s is not an invocation response: %v: %s", function, err, body)
	}
	return out, nil
}
