package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestClientPathSettings(t *testing.T) {
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		c    Config
		want string
	}{
		{Config{ClientPath: "yes"}, `SWITCHYARD_CLIENT_PATH: "yes": want standby, primary, both or off`},
		{Config{ClientPathPort: 70000}, "SWITCHYARD_CLIENT_PATH_PORT: 70000: want a port from 1 to 65535"},
		{Config{ClientCA: filepath.Join(t.TempDir(), "missing.pem")}, "SWITCHYARD_CLIENT_CA: cannot read it"},
		{Config{ClientCA: notPEM}, "SWITCHYARD_CLIENT_CA: " + notPEM + " holds no PEM certificate"},
	} {
		k := &checker{}
		tc.c.checkClientPath(k)
		if len(k.problems) != 1 || !strings.HasPrefix(k.problems[0], tc.want) {
			t.Errorf("%+v: problems %q, want one starting %q", tc.c, k.problems, tc.want)
		}
	}
	for value, want := range map[string][2]bool{"": {false, true}, "standby": {false, true}, "primary": {true, false}, "both": {true, true}, "off": {false, false}} {
		p, s := Config{ClientPath: value}.ClientPathSides()
		if p != want[0] || s != want[1] {
			t.Errorf("%q: primary %v standby %v, want %v", value, p, s, want)
		}
	}
	if got := (Config{}).ClientPathCanary("s3://bucket/dir/canary.txt?endpoint=http://x"); got != "/dir/canary.txt" {
		t.Errorf("s3 canary path %q", got)
	}
	if got := (Config{}).ClientPathCanary("https://standby.example.org/c.txt?v=1"); got != "/c.txt?v=1" {
		t.Errorf("https canary path %q", got)
	}
}
