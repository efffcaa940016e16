package netns

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// binDir holds the binaries built for this run; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "switchyard-netns-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// imageBuild is how the Dockerfile builds probe: static, no cgo, no local
// paths, no symbol tables. Keep the two in step.
var imageBuild = []string{"build", "-trimpath", "-ldflags=-s -w"}

type built struct {
	once sync.Once
	path string
	err  error
}

var builds sync.Map // package path → *built

// binary builds pkg (a module package path) once per run, as the image
// does, and returns the executable's path.
func binary(t *testing.T, pkg string) string {
	t.Helper()
	v, _ := builds.LoadOrStore(pkg, &built{})
	b := v.(*built)
	b.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			b.err = fmt.Errorf("needs the go command to build %s: %w", pkg, err)
			return
		}
		b.path = filepath.Join(binDir, filepath.Base(pkg))
		args := append(append([]string{}, imageBuild...), "-o", b.path, pkg)
		cmd := exec.Command(goTool, args...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

const (
	probePkg    = "github.com/switchyard-dns/switchyard/functions/probe"
	servicesPkg = "github.com/switchyard-dns/switchyard/test/netns/cmd/services"
)
