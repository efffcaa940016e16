// Package browser loads a page in Debian's headless Chromium, so a test
// sees what a person would: the DOM after the browser built it, every
// message the page wrote to the console (an uncaught error, a blocked
// resource, a Content-Security-Policy violation), and a screenshot.
package browser

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Find returns the path of Chromium (Debian names it chromium, other
// distributions chromium-browser). When there is none the test skips,
// saying how to install it, except under CI=true, where a missing browser
// must fail the run rather than quietly pass it.
func Find(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "chromium not installed (scripts/test installs it as root: apt-get install -y chromium)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; CI must run the browser tests")
	}
	t.Skip(msg)
	return ""
}

// Page is what the browser made of one URL.
type Page struct {
	DOM     string   // the document after parsing and any script ran (--dump-dom)
	Console []string // console messages, e.g. `"Uncaught ReferenceError: x is not defined", source: …`
	PNG     string   // the screenshot's path
}

// consoleLine is how Chromium logs a console message with
// --enable-logging=stderr: "[pid:tid:time:INFO:CONSOLE:1] "text", source: url (line)".
var consoleLine = regexp.MustCompile(`:CONSOLE(?::\d+)?(?:\(\d+\))?\] (.*)$`)

// Load opens url in a fresh headless Chromium profile at a window of
// width×height CSS pixels and writes a screenshot to png. The flags keep
// the browser off the network except for url itself: no first-run page,
// no component updates, no sync, no QUIC.
func Load(t testing.TB, url, png string, width, height int) Page {
	t.Helper()
	bin := Find(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(),
		"--enable-logging=stderr", "--v=0",
		"--screenshot="+png, fmt.Sprintf("--window-size=%d,%d", width, height),
		"--dump-dom", url)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, stderr.String())
	}
	if fi, err := os.Stat(png); err != nil || fi.Size() == 0 {
		t.Fatalf("chromium wrote no screenshot to %s (%v)\n%s", png, err, stderr.String())
	}
	p := Page{DOM: stdout.String(), PNG: png}
	for line := range strings.Lines(stderr.String()) {
		if m := consoleLine.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			p.Console = append(p.Console, m[1])
		} else if strings.Contains(line, "Uncaught") {
			p.Console = append(p.Console, strings.TrimSpace(line))
		}
	}
	return p
}
