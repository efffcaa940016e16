package config

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// envName is a POSIX environment variable name.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ReadEnvFile reads KEY=VALUE lines, as `go run ./infra/local --serve`
// writes them and as .env files are usually written: blank lines and lines
// starting with # are skipped, an optional leading `export ` is dropped, and
// a value wholly inside matching single or double quotes loses them.
// Nothing else is interpreted: no $expansion, no escapes, so an s3:// check
// with `&` in it is read as written (sourcing such a file in a shell would
// cut it short). Errors give the line number and never the value, which
// may be a secret.
func ReadEnvFile(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("env file: %w", err)
	}
	env := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		name, value, ok := strings.Cut(line, "=")
		name = strings.TrimSpace(name)
		if !ok || !envName.MatchString(name) {
			return nil, fmt.Errorf("env file %s: line %d: want NAME=value", path, n)
		}
		env[name] = unquote(strings.TrimSpace(value))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("env file %s: %w", path, err)
	}
	return env, nil
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// ApplyEnvFile sets every variable of the env file at path that the
// environment does not already have: a variable set on the command line,
// `SWITCHYARD_RECORD=x failover status`, wins over the file, as with
// docker compose and most dotenv loaders.
func ApplyEnvFile(path string) error {
	env, err := ReadEnvFile(path)
	if err != nil {
		return err
	}
	for name, value := range env {
		if _, set := os.LookupEnv(name); set {
			continue
		}
		if err := os.Setenv(name, value); err != nil {
			return fmt.Errorf("env file %s: set %s: %w", path, name, err)
		}
	}
	return nil
}
