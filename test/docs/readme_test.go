// Package docs checks that README.md says what the code does: the
// configuration table is the generated one, every scenario is listed, and
// the two set-up commands are the ones CI runs.
package docs

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	readme := read(t, "README.md")
	for _, sc := range scenario.All {
		if !strings.Contains(readme, "`"+sc.Name+"`") {
			t.Errorf("README.md does not list scenario %s", sc.Name)
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
