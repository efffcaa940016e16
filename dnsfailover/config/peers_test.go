package config

import (
	"reflect"
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
