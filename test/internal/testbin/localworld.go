package testbin

import (
	"bufio"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ServeLocalWorld starts `infra/local --serve` as a user would, waits until
// it says it is up, and returns the process and the env file it wrote. The
// process is killed when the test ends.
func ServeLocalWorld(t *testing.T) (*exec.Cmd, string) {
	t.Helper()
	envFile := filepath.Join(t.TempDir(), "local.env")
	cmd := exec.Command(Build(t, "./infra/local"), "--serve", "--env-file", envFile)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if strings.Contains(lines.Text(), "env file") {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return cmd, envFile
		}
	}
	t.Fatal("the local world never said it was up")
	return nil, ""
}
