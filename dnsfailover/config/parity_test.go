package config

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestParityAndDrillSettings(t *testing.T) {
	many := make([]string, MaxParityKeys+1)
	for i := range many {
		many[i] = fmt.Sprintf("k%d", i)
	}
	tests := []struct {
		name string
		env  map[string]string
		want string // "" = valid; else the exact problem line
	}{
		{"keys with spaces around", map[string]string{"SWITCHYARD_PARITY_KEYS": " img/logo.png , index.html,"}, ""},
		{"drill record with an underscore label", map[string]string{"SWITCHYARD_DRILL_RECORD": "_drill.assets.example.com", "SWITCHYARD_DRILL_RESOLVER": "127.0.0.1:5353"}, ""},
		{"absolute key", map[string]string{"SWITCHYARD_PARITY_KEYS": "/img/logo.png"},
			`SWITCHYARD_PARITY_KEYS: "/img/logo.png" starts with '/': write the object key, e.g. img/logo.png`},
		{"key with a query", map[string]string{"SWITCHYARD_PARITY_KEYS": "a?b"},
			`SWITCHYARD_PARITY_KEYS: "a?b" holds a control character, '?' or '#': want an object key, e.g. img/logo.png`},
		{"duplicate key", map[string]string{"SWITCHYARD_PARITY_KEYS": "a,b,a"}, `SWITCHYARD_PARITY_KEYS: "a" is listed twice`},
		{"too many keys", map[string]string{"SWITCHYARD_PARITY_KEYS": strings.Join(many, ",")},
			"SWITCHYARD_PARITY_KEYS: 21 keys: at most 20 (every key is fetched from both origins every round)"},
		{"drill record is the real record", map[string]string{"SWITCHYARD_DRILL_RECORD": "Assets.Example.com"},
			`SWITCHYARD_DRILL_RECORD: "Assets.Example.com" is SWITCHYARD_RECORD itself: a drill must never move production traffic; use e.g. _drill.assets.example.com`},
		{"drill record is the state TXT", map[string]string{"SWITCHYARD_DRILL_RECORD": "_switchyard.assets.example.com"},
			`SWITCHYARD_DRILL_RECORD: "_switchyard.assets.example.com" is the state TXT of SWITCHYARD_RECORD: use e.g. _drill.assets.example.com`},
		{"drill record not a name", map[string]string{"SWITCHYARD_DRILL_RECORD": "drill"},
			`SWITCHYARD_DRILL_RECORD: "drill" is a single label: want a full DNS name, e.g. _drill.assets.example.com`},
		{"resolver without port", map[string]string{"SWITCHYARD_DRILL_RESOLVER": "ns1.example.com"},
			`SWITCHYARD_DRILL_RESOLVER: "ns1.example.com": want host:port of an authoritative DNS server, e.g. ns1.example.com:53`},
		{"parity required is a boolean", map[string]string{"SWITCHYARD_PARITY_REQUIRED": "maybe"},
			`SWITCHYARD_PARITY_REQUIRED: "maybe" is not a boolean: want true or false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, validEnv(), tt.env)
			_, err := Load()
			_, opErr := LoadOperator()
			for which, err := range map[string]error{"Load": err, "LoadOperator": opErr} {
				if tt.want == "" {
					if err != nil {
						t.Errorf("%s: %v", which, err)
					}
					continue
				}
				ve, ok := err.(*ValidationError)
				if !ok || !slices.Contains(ve.Problems, tt.want) {
					t.Errorf("%s: %v\nwant the problem %s", which, err, tt.want)
				}
			}
		})
	}
}

func TestParityKeyList(t *testing.T) {
	c := Config{ParityKeys: " a , ,b/c.png,"}
	if got := c.ParityKeyList(); !slices.Equal(got, []string{"a", "b/c.png"}) {
		t.Errorf("ParityKeyList = %q", got)
	}
	if got := (Config{}).ParityKeyList(); got != nil {
		t.Errorf("empty ParityKeyList = %q, want nil", got)
	}
}
