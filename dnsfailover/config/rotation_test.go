package config

import (
	"slices"
	"testing"
)

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
