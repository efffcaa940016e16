package browser_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchyard-dns/switchyard/test/internal/browser"
)

// TestLoadSeesConsoleErrors shows that the console check can fail: a
// script error, a console.error and a script blocked by the page's
// Content-Security-Policy are each reported, and a clean page reports none.
func TestLoadSeesConsoleErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium; skipped with -short")
	}
	browser.Find(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/broken":
			_, _ = w.Write([]byte(`<!doctype html><p id="x">broken</p><script>console.error("said so"); noSuchFunction();</script>`))
		case "/blocked":
			w.Header().Set("Content-Security-Policy", "default-src 'none'")
			_, _ = w.Write([]byte(`<!doctype html><p>blocked</p><script>document.title = "ran";</script>`))
		default:
			_, _ = w.Write([]byte(`<!doctype html><title>clean</title><p id="x">clean</p>`))
		}
	}))
	defer srv.Close()
	dir := t.TempDir()

	p := browser.Load(t, srv.URL+"/broken", filepath.Join(dir, "broken.png"), 400, 300)
	joined := strings.Join(p.Console, "\n")
	for _, want := range []string{"said so", "Uncaught ReferenceError: noSuchFunction"} {
		if !strings.Contains(joined, want) {
			t.Errorf("console of /broken lacks %q: %q", want, p.Console)
		}
	}
	if !strings.Contains(p.DOM, `<p id="x">broken</p>`) {
		t.Errorf("DOM of /broken: %s", p.DOM)
	}

	p = browser.Load(t, srv.URL+"/blocked", filepath.Join(dir, "blocked.png"), 400, 300)
	if !strings.Contains(strings.Join(p.Console, "\n"), "Content Security Policy") {
		t.Errorf("a script blocked by the CSP was not reported: %q", p.Console)
	}

	p = browser.Load(t, srv.URL+"/", filepath.Join(dir, "clean.png"), 400, 300)
	if len(p.Console) != 0 || !strings.Contains(p.DOM, "clean") {
		t.Errorf("clean page: console %q, DOM %s", p.Console, p.DOM)
	}
}
