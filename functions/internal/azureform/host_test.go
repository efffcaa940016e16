package azureform_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/switchyard-dns/switchyard/functions/internal/azureform"
)

func TestPort(t *testing.T) {
	env := map[string]string{}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	if _, ok, err := azureform.Port(lookup); ok || err != nil {
		t.Errorf("unset: ok=%v err=%v, want not a custom handler", ok, err)
	}
	for _, bad := range []string{"", "http", "0", "70000"} {
		env[azureform.PortVariable] = bad
		if _, ok, err := azureform.Port(lookup); !ok || err == nil || !strings.Contains(err.Error(), azureform.PortVariable) {
			t.Errorf("%q: ok=%v err=%v, want an error naming the variable", bad, ok, err)
		}
	}
	env[azureform.PortVariable] = "34567"
	if p, ok, err := azureform.Port(lookup); p != 34567 || !ok || err != nil {
		t.Errorf("34567: %d %v %v", p, ok, err)
	}
}

func TestUnresolvedReferencesNamesOnlyTheSettings(t *testing.T) {
	got := azureform.UnresolvedReferences([]string{
		"SWITCHYARD_SECRET=@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/hmac/)",
		"CLOUDFLARE_API_TOKEN=@Microsoft.KeyVault(VaultName=kv;SecretName=cf)",
		"SWITCHYARD_RECORD=assets.example.com",
		"SWITCHYARD_SECRET_PREVIOUS=resolved-value",
	})
	if !slices.Equal(got, []string{"SWITCHYARD_SECRET", "CLOUDFLARE_API_TOKEN"}) {
		t.Errorf("got %q", got)
	}
}

// Invocations go to their function; everything else (proxied triggers,
// the host's readiness GET /, a GET of a function's path) to next.
func TestHandlerRoutes(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})
	var seen azureform.Invocation
	h := azureform.Handler(map[string]azureform.Func{
		"round": func(ctx context.Context, inv azureform.Invocation) (azureform.Response, error) {
			seen = inv
			if _, err := inv.Timer("timer"); err != nil {
				return azureform.Response{}, err
			}
			return azureform.Response{ReturnValue: "ok"}, nil
		},
		"broken": func(ctx context.Context, inv azureform.Invocation) (azureform.Response, error) {
			return azureform.Response{}, errors.New("broken: no luck")
		},
	}, next)
	do := func(method, path, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set(azureform.InvocationIDHeader, "inv-1")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := do(http.MethodPost, "/round", `{"Data":{"timer":{"IsPastDue":true}},"Metadata":{"sys":{"MethodName":"round"}}}`)
	if w.Code != http.StatusOK || w.Body.String() != `{"Outputs":{},"Logs":[],"ReturnValue":"ok"}`+"\n" {
		t.Errorf("invocation: %d %s", w.Code, w.Body)
	}
	if timer, err := seen.Timer("timer"); seen.ID != "inv-1" || seen.Function != "round" || err != nil || !timer.IsPastDue {
		t.Errorf("invocation seen as %+v (%v)", seen, err)
	}
	// A timer serialized as a JSON string, as the host does with a value
	// it cannot make an object of, is read the same.
	w = do(http.MethodPost, "/round", `{"Data":{"timer":"{\"IsPastDue\":true}"},"Metadata":{}}`)
	if timer, err := seen.Timer("timer"); w.Code != http.StatusOK || err != nil || !timer.IsPastDue {
		t.Errorf("timer as a string: %d %s (%v)", w.Code, w.Body, err)
	}
	for _, c := range []struct{ method, path, body string }{
		{http.MethodGet, "/", ""}, {http.MethodPost, "/observe", "{}"}, {http.MethodGet, "/round", ""},
	} {
		if w := do(c.method, c.path, c.body); w.Code != http.StatusTeapot {
			t.Errorf("%s %s: %d, want it passed on", c.method, c.path, w.Code)
		}
	}
	if w := do(http.MethodPost, "/broken", `{"Data":{}}`); w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), "no luck") {
		t.Errorf("failing function: %d %s", w.Code, w.Body)
	}
	if w := do(http.MethodPost, "/round", strings.Repeat("x", azureform.MaxEnvelope+1)); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "larger than") {
		t.Errorf("huge envelope: %d %s", w.Code, w.Body)
	}
}
