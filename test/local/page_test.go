package local

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchyard-dns/switchyard/dnsfailover/peers"
	"github.com/switchyard-dns/switchyard/dnsfailover/statuspage"
	"github.com/switchyard-dns/switchyard/dnsfailover/vantage"
	"github.com/switchyard-dns/switchyard/infra/local/world"
	"github.com/switchyard-dns/switchyard/test/internal/browser"
)

// TestStatusPage: after an outage and the switch, GET / on a vantage point
// shows the record on the standby, every vantage point's last round with a
// strip, a peer that does not answer as unreachable, and no secret.
func TestStatusPage(t *testing.T) {
	if testing.Short() {
		t.Skip("a local-world run; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w, _, st := steadyWorld(ctx, t, world.Options{})
	st.Inject("primary origin returns 503 to everyone", func() { w.Primary.SetDown(true) })
	if err := st.ExpectFailover(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.Rounds(ctx, 2); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(w.Nodes[0].URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("GET /: %d %s", resp.StatusCode, ct)
	}
	want := []string{world.Record + ` → <span class="side standby">standby</span>`, "primary down", "<svg", `http-equiv="refresh"`,
		// The client-path check of the standby (on by default) is shown per vantage point.
		`standby at the record's name <span class="good">ok</span>`}
	for _, n := range w.Nodes {
		want = append(want, "<b>"+n.ID+"</b>")
	}
	for _, s := range want {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	if n := strings.Count(page, "<svg"); n != len(w.Nodes) {
		t.Errorf("%d strips, want one per vantage point (%d)", n, len(w.Nodes))
	}
	for _, bad := range []string{"<script", "src=", "href=", w.Nodes[0].Config.Secret.Reveal(), w.Nodes[0].Config.CloudflareAPIToken.Reveal()} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}

	t.Run("in a browser", func(t *testing.T) {
		var ids []string
		for _, n := range w.Nodes {
			ids = append(ids, n.ID)
		}
		lookAtPage(t, w.Nodes[0].URL+"/", ids)
	})

	// A peer that does not answer is shown so.
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	h := statuspage.Handler(statuspage.Options{Self: w.Nodes[0].Vantage, Record: world.Record,
		Peers: []peers.Peer{{ID: "gcp:asia-east1", URL: gone.URL}}})
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, httptest.NewRequest("GET", "/", nil))
	if !strings.Contains(rr.Body.String(), `<b>gcp:asia-east1</b>
 <span class="bad">unreachable</span>`) {
		t.Errorf("unreachable peer not shown so:\n%s", rr.Body.String())
	}

	// The state shown is the newest any vantage point read: a peer whose
	// cache expired first has already seen an operator's hold.
	own := w.Nodes[0].Vantage.Last()
	snap := *own.Record
	snap.State.Gen, snap.State.Pinned, snap.State.By = 99, true, "manual:alice"
	snap.State.Until = time.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
	newer := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(rw).Encode(vantage.Round{Vantage: "gcp:asia-east1", At: time.Now(), Record: &snap})
	}))
	defer newer.Close()
	h = statuspage.Handler(statuspage.Options{Self: w.Nodes[0].Vantage, Record: world.Record,
		Peers: []peers.Peer{{ID: "gcp:asia-east1", URL: newer.URL}}})
	rr = httptest.NewRecorder()
	h.ServeHTTP(rr, httptest.NewRequest("GET", "/", nil))
	for _, want := range []string{"<dt>generation</dt><dd>99</dd>", "<dt>by</dt><dd>manual:alice</dd>", "held until " + snap.State.Until.Format(time.RFC3339)} {
		if !strings.Contains(rr.Body.String(), want) {
			t.Errorf("a peer's newer state not shown: page lacks %q", want)
		}
	}
}

// keepScreenshots copies the status page's screenshots to a directory, to
// look at them after the run (the README's is the phone-width one):
// go test ./test/local/ -run 'TestStatusPage/browser' -screenshots /tmp/shots
var keepScreenshots = flag.String("screenshots", "", "also copy the status page's screenshots to this directory")

// lookAtPage loads the status page after the switch in headless Chromium,
// at a desktop and at a phone's width: it renders with no console message
// (the page has no script, and its Content-Security-Policy would report
// one), shows the record on the standby with the generation, who switched
// and why, and leaves a screenshot of each under the test's temporary
// directory.
func lookAtPage(t *testing.T, url string, vantages []string) {
	dir := t.TempDir()
	for _, size := range []struct {
		name string
		w, h int
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		png := filepath.Join(dir, "page-"+size.name+".png")
		p := browser.Load(t, url, png, size.w, size.h)
		t.Logf("%s screenshot: %s", size.name, png)
		if len(p.Console) > 0 {
			t.Errorf("%s: console messages:\n%s", size.name, strings.Join(p.Console, "\n"))
		}
		for _, want := range []string{
			`<span class="side standby">standby</span>`,
			"<dt>generation</dt><dd>1</dd>",
			"<dt>why</dt><dd>",
			"primary down",
			"<svg",
		} {
			if !strings.Contains(p.DOM, want) {
				t.Errorf("%s: rendered page lacks %q", size.name, want)
			}
		}
		by := false // one of the vantage points wrote the switch
		for _, id := range vantages {
			by = by || strings.Contains(p.DOM, "<dt>by</dt><dd>"+id+"</dd>")
		}
		if !by {
			t.Errorf("%s: rendered page does not say which vantage point switched", size.name)
		}
		if *keepScreenshots != "" {
			b, err := os.ReadFile(png)
			if err == nil {
				err = os.WriteFile(filepath.Join(*keepScreenshots, filepath.Base(png)), b, 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}
