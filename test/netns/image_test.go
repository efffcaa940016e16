package netns

import (
	"debug/elf"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The container image holds only the probe binary on distroless/static, so
// the binary must not need a dynamic loader or any shared library. Build it
// as the Dockerfile does and look inside.
func TestImageBinaryIsStatic(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the image is linux; ELF checks need a linux build")
	}
	f, err := elf.Open(binary(t, probePkg))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("probe has a program interpreter: it is dynamically linked, and distroless/static has no loader")
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	if len(libs) > 0 {
		t.Errorf("probe needs shared libraries %v", libs)
	}
}

// Where a container engine runs, build the real image. Most CI machines
// have none; the static-binary test above covers what the image holds.
func TestDockerBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the image build")
	}
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("no docker command; TestImageBinaryIsStatic covers the binary the image holds")
	}
	if out, err := exec.Command(docker, "info").CombinedOutput(); err != nil {
		t.Skipf("docker cannot reach an engine (%v: %s); TestImageBinaryIsStatic covers the binary the image holds", err, lastLine(out))
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(docker, "build", "--quiet", "-t", "switchyard-probe:test", root)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docker build: %v\n%s", err, out)
	}
}

// lastLine is the last non-empty line of b: where docker puts its error.
func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}
