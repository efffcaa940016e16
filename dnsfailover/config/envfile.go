package config

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"time"
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

// Environ renders c as the variables that load it back, "NAME=value" in
// the order of the Config fields (Usage names field i), as os.Environ
// does. Secret values are revealed: they belong in a function's
// environment or a 0600 env file, never in a log.
func (c Config) Environ() []string {
	v := reflect.ValueOf(c)
	vars := Usage()
	out := make([]string, len(vars))
	for i, u := range vars {
		out[i] = u.Name + "=" + envValue(v.Field(i))
	}
	return out
}

// envValue renders one field the way envconfig reads it back.
func envValue(f reflect.Value) string {
	switch x := f.Interface().(type) {
	case Secret:
		return x.Reveal()
	case Peers:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = p.ID + "=" + p.URL
		}
		return strings.Join(parts, ",")
	case time.Duration:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}
