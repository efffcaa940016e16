package local

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchyard-dns/switchyard/infra/local/world"
	"github.com/switchyard-dns/switchyard/test/internal/browser"
	"github.com/switchyard-dns/switchyard/test/internal/testbin"
)

// TestHTMLTimeline runs a scenario with --html and checks the page: one
// lane per vantage point, the switch and the DNS answer change, no script
// or external asset, and Chromium renders it with no console message.
func TestHTMLTimeline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a scenario; skipped with -short")
	}
	bin := testbin.Build(t, "./infra/local")
	path := filepath.Join(t.TempDir(), "timeline.html")
	if out, err := exec.Command(bin, "--scenario", "primary-outage", "--interval", "300ms", "--html", path).CombinedOutput(); err != nil {
		t.Fatalf("infra/local --html: %v\n%s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	want := append([]string{"scenario primary-outage", "badge pass", "switched → standby", "DNS answers " + world.StandbyTarget, "fault: "}, world.DefaultVantages...)
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("timeline lacks %q", w)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "src=") {
		t.Error("timeline is not self-contained")
	}
	t.Run("in a browser", func(t *testing.T) {
		png := filepath.Join(t.TempDir(), "timeline.png")
		p := browser.Load(t, "file://"+path, png, 1300, 720)
		t.Logf("screenshot: %s", png)
		if len(p.Console) > 0 {
			t.Errorf("console messages:\n%s", strings.Join(p.Console, "\n"))
		}
		if !strings.Contains(p.DOM, "switched → standby") {
			t.Error("rendered timeline lacks the switch")
		}
	})

	bad := exec.Command(bin, "--scenario", "primary-outage", "--interval", "300ms", "--html", filepath.Join(t.TempDir(), "no", "such", "dir.html"))
	if out, err := bad.CombinedOutput(); err == nil || !strings.Contains(string(out), "--html") {
		t.Errorf("unwritable --html: err %v, output %s", err, out)
	}
}
