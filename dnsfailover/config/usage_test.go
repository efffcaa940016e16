package config

import (
	"bytes"
	"encoding/json"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/usage.* from the current Config")

func TestUsageDescribesEveryField(t *testing.T) {
	vars := Usage()
	if n := reflect.TypeFor[Config]().NumField(); len(vars) != n {
		t.Fatalf("Usage() has %d variables, Config has %d fields", len(vars), n)
	}
	seen := map[string]bool{}
	for i, v := range vars {
		f := reflect.TypeFor[Config]().Field(i)
		if f.Tag.Get("envconfig") == "" {
			t.Errorf("field %s has no envconfig tag", f.Name)
		}
		if v.Desc == "" {
			t.Errorf("%s (field %s) has no desc", v.Name, f.Name)
		}
		if seen[v.Name] {
			t.Errorf("%s is used by two fields", v.Name)
		}
		seen[v.Name] = true
	}
}

// TestUsageNamesAreWhatEnvconfigReads sets each variable under the name
// Usage gives it, and under its unprefixed Alt, and checks with
// envconfig itself that the value lands in that field.
func TestUsageNamesAreWhatEnvconfigReads(t *testing.T) {
	samples := map[reflect.Type]string{
		reflect.TypeFor[string]():        "sample",
		reflect.TypeFor[Secret]():        "sample",
		reflect.TypeFor[int]():           "7",
		reflect.TypeFor[bool]():          "true",
		reflect.TypeFor[time.Duration](): "7s",
		reflect.TypeFor[Peers]():         "gcp:europe-west1=https://g.example",
		reflect.TypeFor[Group]():         "img.example.com CNAME a.example.net b.example.net",
	}
	for i, v := range Usage() {
		field := reflect.TypeFor[Config]().Field(i)
		sample, ok := samples[field.Type]
		if !ok {
			t.Fatalf("no sample value for %s of type %s: add one", v.Name, field.Type)
		}
		if sample == v.Default {
			sample = "false" // a bool that defaults to true: set the other value
		}
		bare := v.Name[len(Prefix)+1:]
		for _, name := range []string{v.Name, bare} {
			t.Run(name, func(t *testing.T) {
				clearEnv(t)
				unsetC, _, problems := parseEnv()
				if len(problems) > 0 {
					t.Fatalf("parse with nothing set: %v", problems)
				}
				t.Setenv(name, sample)
				c, _, problems := parseEnv()
				if len(problems) > 0 {
					t.Fatalf("parse: %v", problems)
				}
				got := reflect.ValueOf(c).Field(i).Interface()
				changed := !reflect.DeepEqual(got, reflect.ValueOf(unsetC).Field(i).Interface())
				wantRead := name == v.Name || name == v.Alt
				if changed != wantRead {
					t.Errorf("setting %s=%s changed field %s: %v, want %v", name, sample, field.Name, changed, wantRead)
				}
			})
		}
	}
}

func TestUsageDefaultsAreWhatLoadApplies(t *testing.T) {
	clearEnv(t)
	c, _, _ := parseEnv()
	for i, v := range Usage() {
		got := reflect.ValueOf(c).Field(i)
		if v.Default == "" {
			if !got.IsZero() {
				t.Errorf("%s has no default but loads as %v", v.Name, got)
			}
			continue
		}
		if got.IsZero() && v.Default != "0" && v.Default != "false" {
			t.Errorf("%s has default %q but loads as the zero value", v.Name, v.Default)
		}
	}
}

// TestUsageGolden compares --help and the README table with the files in
// testdata; run `go test -update` after changing a field and review the diff.
func TestUsageGolden(t *testing.T) {
	for _, tt := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"usage.txt", func(b *bytes.Buffer) error { return WriteUsageText(b) }},
		{"usage.md", func(b *bytes.Buffer) error { return WriteUsageMarkdown(b) }},
	} {
		t.Run(tt.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.write(&buf); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.file)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if buf.String() != string(want) {
				t.Errorf("%s is out of date (run go test -update):\n%s", path, buf.String())
			}
			for _, v := range Usage() {
				if !strings.Contains(buf.String(), v.Name) {
					t.Errorf("%s is missing from %s", v.Name, tt.file)
				}
			}
		})
	}
}

func TestConfigLogValue(t *testing.T) {
	setEnv(t, validEnv(), nil)
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("start", "config", c)
	var line struct{ Config map[string]any }
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("%v in %s", err, buf.String())
	}
	for _, v := range Usage() {
		if _, ok := line.Config[v.Name]; !ok {
			t.Errorf("log line has no %s", v.Name)
		}
	}
	for name, want := range map[string]any{
		"SWITCHYARD_INTERVAL":                     "10s",
		"SWITCHYARD_RECORD":                       "assets.example.com",
		"SWITCHYARD_SECRET":                       "[redacted]",
		"SWITCHYARD_CLOUDFLARE_API_TOKEN":         "[redacted]",
		"SWITCHYARD_PRIMARY_S3_SECRET_ACCESS_KEY": "",
		"SWITCHYARD_PORT":                         float64(8080),
	} {
		if got := line.Config[name]; got != want {
			t.Errorf("%s logged as %#v, want %#v", name, got, want)
		}
	}
	assertNoSecrets(t, buf.String())
}
