// Package docs checks that the README and the notes it links to say what
// the code does: README.md's configuration table is the generated one, the
// two set-up commands are the ones CI runs, its layout names every package,
// infra/local/README.md lists every scenario, and every relative link in
// those files leads to a file and heading that exist.
package docs

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/switchyard-dns/switchyard/dnsfailover/config"
	"github.com/switchyard-dns/switchyard/infra/local/scenario"
	"github.com/switchyard-dns/switchyard/test/internal/testbin"
)

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testbin.Root(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var update = flag.Bool("update", false, "rewrite README.md's configuration table from the config struct")

func TestConfigurationTableIsGenerated(t *testing.T) {
	var want strings.Builder
	if err := config.WriteUsageMarkdown(&want); err != nil {
		t.Fatal(err)
	}
	readme := read(t, "README.md")
	if *update {
		start := strings.Index(readme, "| Variable | Default | Description |")
		end := strings.Index(readme[start:], "\n\n") + start
		end = strings.Index(readme[end+2:], "\n") + end + 2 // the note line after the table
		readme = readme[:start] + strings.TrimSpace(want.String()) + readme[end:]
		if err := os.WriteFile(filepath.Join(testbin.Root(t), "README.md"), []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(read(t, "README.md"), strings.TrimSpace(want.String())) {
		t.Errorf("README.md's configuration table differs from config.WriteUsageMarkdown; run go test ./test/docs -update, or paste this:\n%s", want.String())
	}
}

func TestEveryScenarioIsListed(t *testing.T) {
	const where = "infra/local/README.md"
	readme := read(t, where)
	for _, sc := range scenario.All {
		row := "| `" + sc.Name + "` | " + sc.About + " |"
		if !strings.Contains(readme, row) {
			t.Errorf("%s does not list scenario %s as\n%s", where, sc.Name, row)
		}
	}
}

// mdLink matches a Markdown link's target: [text](target).
var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestLinksLeadSomewhere follows every relative link in the Markdown files
// of the repository: the README is a map, and a map whose roads end
// nowhere is worse than none.
func TestLinksLeadSomewhere(t *testing.T) {
	root := testbin.Root(t)
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".md") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("found %d Markdown files under %s; want the README and its notes", len(files), root)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, file)
		for _, m := range mdLink.FindAllStringSubmatch(string(b), -1) {
			target, anchor, _ := strings.Cut(m[1], "#")
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path := file
			if target != "" {
				path = filepath.Join(filepath.Dir(file), target)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("%s links to %s, which does not exist", rel, m[1])
				continue
			}
			if anchor != "" && !slices.Contains(headingAnchors(string(b)), anchor) {
				t.Errorf("%s links to %s, which has no heading #%s", rel, m[1], anchor)
			}
		}
	}
}

func TestSetUpCommandsComeFirstAndCIRunsTheTestOne(t *testing.T) {
	readme := read(t, "README.md")
	block := readme[strings.Index(readme, "```sh")+len("```sh"):]
	block = block[:strings.Index(block, "```")]
	var cmds []string
	for line := range strings.Lines(strings.TrimSpace(block)) {
		cmd, _, _ := strings.Cut(line, "#")
		cmds = append(cmds, strings.TrimSpace(cmd))
	}
	if len(cmds) != 2 || cmds[0] != "go run ./infra/local" {
		t.Fatalf("README's first commands = %q, want the local world then the tests", cmds)
	}
	if ci := read(t, ".ci/run"); !strings.Contains(ci, "\n"+cmds[1]) {
		t.Errorf(".ci/run does not call README's test command %q", cmds[1])
	}
}

// headingAnchors returns the anchors GitHub gives a Markdown file's
// headings: lower case, spaces to hyphens, other punctuation dropped.
func headingAnchors(md string) []string {
	var anchors []string
	for line := range strings.Lines(md) {
		text, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " ")
		if !ok || !strings.HasPrefix(line, "#") {
			continue
		}
		var a strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(text)) {
			switch {
			case r == ' ' || r == '-':
				a.WriteRune('-')
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_':
				a.WriteRune(r)
			}
		}
		anchors = append(anchors, a.String())
	}
	return anchors
}

// TestLayoutNamesEveryPackage: the README's layout is the map a newcomer
// reads first, so every library package (dnsfailover/…, test helpers
// aside), every function and every place under infra/ must be on it.
func TestLayoutNamesEveryPackage(t *testing.T) {
	readme := read(t, "README.md")
	start := strings.Index(readme, "## Layout")
	if start < 0 {
		t.Fatal("README.md has no ## Layout section")
	}
	layout := readme[start+len("## Layout"):]
	if end := strings.Index(layout, "\n## "); end >= 0 {
		layout = layout[:end]
	}
	root := testbin.Root(t)
	var missing []string
	for _, top := range []string{"dnsfailover", "functions", "infra"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			rel = filepath.ToSlash(rel)
			name := d.Name()
			switch {
			case name == "testdata" || name == "internal" && top != "functions":
				return filepath.SkipDir
			case rel == top || strings.HasSuffix(name, "test"):
				return nil
			}
			depth := strings.Count(rel, "/")
			if top != "dnsfailover" && depth > 1 {
				return filepath.SkipDir // infra/local/… and functions/internal/… are described by their folder
			}
			if !hasGo(path) && top != "infra" {
				return nil
			}
			// dnsfailover/dns/route53 may be written dns/route53; infra/azure
			// may be a link named azure in the infra row.
			short := strings.TrimPrefix(rel, "dnsfailover/")
			if top == "infra" {
				short = name
			}
			if !strings.Contains(layout, "`"+rel+"`") && !strings.Contains(layout, "`"+short+"`") {
				missing = append(missing, rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(missing) > 0 {
		t.Errorf("README.md's layout does not name %s: add a row (or a word to a row) for each", strings.Join(missing, ", "))
	}
}

func hasGo(dir string) bool {
	matches, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	return len(matches) > 0
}
