package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadOperator(t *testing.T) {
	// An operator's env file: no vantage id and no peer secret, peers
	// listed only so that status can show them.
	setEnv(t, validEnv(), map[string]string{"SWITCHYARD_VANTAGE": unset, "SWITCHYARD_SECRET": unset})
	if _, err := Load(); err == nil {
		t.Fatal("Load accepted a configuration without SWITCHYARD_VANTAGE; the test premise is wrong")
	}
	c, err := LoadOperator()
	if err != nil {
		t.Fatalf("LoadOperator: %v", err)
	}
	if c.Record != "assets.example.com" || len(c.Peers) != 2 {
		t.Errorf("LoadOperator = %+v", c)
	}
}

func TestLoadOperatorInvalid(t *testing.T) {
	setEnv(t, validEnv(), map[string]string{
		"SWITCHYARD_RECORD": unset, "CLOUDFLARE_API_TOKEN": unset, "SWITCHYARD_STANDBY_CHECK": "gs://x/y",
		"SWITCHYARD_VANTAGE": "not an id", "SWITCHYARD_INTERVAL": "soon", "SWITCHYARD_QUORUM": "9",
	})
	_, err := LoadOperator()
	var invalid *ValidationError
	if !errors.As(err, &invalid) {
		t.Fatalf("LoadOperator: %v, want a ValidationError", err)
	}
	want := []string{
		`SWITCHYARD_INTERVAL: "soon" is not a duration: want e.g. 10s, 1m30s or 500ms`, // unparsable values are always reported
		"SWITCHYARD_RECORD: required: the switched record, e.g. assets.example.com",
		`SWITCHYARD_STANDBY_CHECK: "gs://x/y": want https://host/key, http://host/key or s3://bucket/key`,
		`SWITCHYARD_VANTAGE: "not an id": want provider:region, lower-case letters, digits and dashes, e.g. aws:us-east-1`,
		"SWITCHYARD_CLOUDFLARE_API_TOKEN: required when SWITCHYARD_DNS_PROVIDER is cloudflare (CLOUDFLARE_API_TOKEN is read too): Cloudflare API token with Zone DNS Edit on that zone",
	}
	if !reflect.DeepEqual(invalid.Problems, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(invalid.Problems, "\n"), strings.Join(want, "\n"))
	}
}

func TestReadEnvFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "env")
	content := "# comment\n\nexport SWITCHYARD_RECORD=assets.example.com\n" +
		"SWITCHYARD_PRIMARY_CHECK=s3://b/k?endpoint=http://127.0.0.1:9000&region=us-east-1\n" +
		"SWITCHYARD_REASON='quoted value'\n  CLOUDFLARE_API_TOKEN = \"" + testToken + "\"\nEMPTY=\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadEnvFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"SWITCHYARD_RECORD":        "assets.example.com",
		"SWITCHYARD_PRIMARY_CHECK": "s3://b/k?endpoint=http://127.0.0.1:9000&region=us-east-1",
		"SWITCHYARD_REASON":        "quoted value",
		"CLOUDFLARE_API_TOKEN":     testToken,
		"EMPTY":                    "",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadEnvFile = %v, want %v", got, want)
	}

	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.WriteFile(bad, []byte("OK=1\n"+testToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = ReadEnvFile(bad)
	if err == nil || !strings.Contains(err.Error(), "line 2: want NAME=value") || strings.Contains(err.Error(), testToken) {
		t.Errorf("bad line: err = %v, want the line number and not its content", err)
	}
	if _, err := ReadEnvFile(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing file was read")
	}
}

func TestApplyEnvFileKeepsSetVariables(t *testing.T) {
	clearEnv(t)
	path := filepath.Join(t.TempDir(), "env")
	if err := os.WriteFile(path, []byte("SWITCHYARD_RECORD=from.file.example\nSWITCHYARD_RECORD_TYPE=A\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SWITCHYARD_RECORD", "from.shell.example")
	if err := ApplyEnvFile(path); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("SWITCHYARD_RECORD") != "from.shell.example" || os.Getenv("SWITCHYARD_RECORD_TYPE") != "A" {
		t.Errorf("after ApplyEnvFile: RECORD=%q TYPE=%q; want the shell's record and the file's type",
			os.Getenv("SWITCHYARD_RECORD"), os.Getenv("SWITCHYARD_RECORD_TYPE"))
	}
}
