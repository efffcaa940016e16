package config

import (
	"reflect"
	"slices"
	"testing"
)

func TestPeersDecode(t *testing.T) {
	tests := []struct {
		in      string
		want    Peers
		wantErr string
	}{
		{in: "", want: nil},
		{in: " \t ", want: nil},
		{in: "gcp:europe-west1=https://g.example/observe", want: Peers{{"gcp:europe-west1", "https://g.example/observe"}}},
		{
			in:   " aws:eu-west-1 = http://10.0.0.2:8080 ,azure:west-europe2=https://z.example ",
			want: Peers{{"aws:eu-west-1", "http://10.0.0.2:8080"}, {"azure:west-europe2", "https://z.example"}},
		},
		{in: "aws:eu-west-1=https://a.example,", wantErr: "entry 2 is empty"},
		{in: "aws:eu-west-1", wantErr: "entry 1 has no '=': want id=url"},
		{in: "aws:eu-west-1=", wantErr: "entry 1 (aws:eu-west-1): url is empty: want an absolute http:// or https:// URL"},
		{in: "aws:eu-west-1=/observe", wantErr: `entry 1 (aws:eu-west-1): url "/observe": want an absolute http:// or https:// URL`},
		{in: "aws:eu-west-1=https://", wantErr: `entry 1 (aws:eu-west-1): url "https://" has no host`},
		{in: "aws:eu-west-1=https://a.example/%zz", wantErr: "entry 1 (aws:eu-west-1): url cannot be parsed: want an absolute http:// or https:// URL"},
		{in: "aws:eu-west-1=https://u:pw@a.example", wantErr: "entry 1 (aws:eu-west-1): url must not contain user info (credentials do not belong in a URL)"},
		{in: "Aws:eu-west-1=https://a.example", wantErr: `entry 1: id "Aws:eu-west-1": want provider:region, lower-case letters, digits and dashes, e.g. aws:us-east-1`},
		{in: "aws:-eu=https://a.example", wantErr: `entry 1: id "aws:-eu": want provider:region, lower-case letters, digits and dashes, e.g. aws:us-east-1`},
		{in: "aws:eu:west=https://a.example", wantErr: `entry 1: id "aws:eu:west": want provider:region, lower-case letters, digits and dashes, e.g. aws:us-east-1`},
		{
			in:      "aws:eu-west-1=https://a.example, aws:eu-west-1=https://b.example",
			wantErr: "entry 2: id aws:eu-west-1 is listed more than once",
		},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p := Peers{{"stale:x", "https://old.example"}}
			err := p.Decode(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Decode(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				if p != nil {
					t.Errorf("Decode(%q) failed but left %v", tt.in, p)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(p, tt.want) {
				t.Errorf("Decode(%q) = %v, want %v", tt.in, p, tt.want)
			}
		})
	}
}

const testPrevious = "previous-peer-key-DO-NOT-PRINT-0123456789abcdef"

func TestRotationInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{
			name: "previous without a current secret",
			env:  map[string]string{"SWITCHYARD_PEERS": unset, "SWITCHYARD_SECRET": unset, "SWITCHYARD_SECRET_PREVIOUS": testPrevious},
			want: []string{"SWITCHYARD_SECRET_PREVIOUS: is set but SWITCHYARD_SECRET is not: the previous key is accepted only beside a current one"},
		},
		{
			name: "previous equal to the current secret",
			env:  map[string]string{"SWITCHYARD_SECRET_PREVIOUS": testSecret},
			want: []string{"SWITCHYARD_SECRET_PREVIOUS: is the same as SWITCHYARD_SECRET: set it to the other key of the rotation, or unset it"},
		},
		{
			name: "previous too short",
			env:  map[string]string{"SWITCHYARD_SECRET_PREVIOUS": "DO-NOT-PRINT-short"},
			want: []string{"SWITCHYARD_SECRET_PREVIOUS: is shorter than 32 bytes: use e.g. the output of openssl rand -hex 32"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setEnv(t, validEnv(), tc.env)
			_, err := Load()
			got := problemsOf(t, err)
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tc.want)
			}
			assertNoSecrets(t, err.Error())
			assertKnownNames(t, got)
		})
	}
}

func TestPeerSecrets(t *testing.T) {
	for _, tc := range []struct {
		name     string
		previous string
		want     []string
	}{
		{"not rotating", "", []string{testSecret}},
		{"rotating: current first, then previous", testPrevious, []string{testSecret, testPrevious}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setEnv(t, validEnv(), map[string]string{"SWITCHYARD_SECRET_PREVIOUS": tc.previous})
			c, err := Load()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, k := range c.PeerSecrets() {
				got = append(got, string(k))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("PeerSecrets() returned %d keys, want %d in order current, previous", len(got), len(tc.want)) // never print keys
			}
		})
	}
	if keys := (Config{}).PeerSecrets(); len(keys) != 0 {
		t.Errorf("PeerSecrets() of a config without a secret has %d keys", len(keys))
	}
}
