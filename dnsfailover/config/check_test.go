package config

import (
	"testing"
)

func TestParseCheck(t *testing.T) {
	tests := []struct {
		in      string
		want    Check // URL compared through String
		wantErr string
	}{
		{in: "https://primary.example.net/canary.txt", want: Check{Kind: "http"}},
		{in: "http://127.0.0.1:8081/c?v=1", want: Check{Kind: "http"}},
		{in: "s3://bucket/dir/canary.txt", want: Check{Kind: "s3", Bucket: "bucket", Key: "dir/canary.txt"}},
		{
			in:   "s3://bucket/canary.txt?endpoint=https://acct.r2.cloudflarestorage.com&region=auto",
			want: Check{Kind: "s3", Bucket: "bucket", Key: "canary.txt", Endpoint: "https://acct.r2.cloudflarestorage.com", Region: "auto"},
		},
		{in: "s3://bucket/k?region=eu-west-1&region=us-east-1", wantErr: "region is given 2 times"},
		{in: "s3:///k", wantErr: "no bucket: want s3://bucket/key"},
		{in: "s3://bucket/", wantErr: "no object key: want s3://bucket/key"},
		{in: "s3://bucket/k?endpoint=", wantErr: "endpoint is empty: want an absolute http:// or https:// URL"},
		{in: "s3://bucket/k?endpoint=http://h:1&region=%zz", wantErr: "query cannot be parsed: want ?endpoint=URL&region=R"},
		{in: "s3://AKID:secret@bucket/k", wantErr: "must not contain user info: credentials do not belong in a URL"},
		{in: "gs://bucket/k", wantErr: `"gs://bucket/k": want https://host/key, http://host/key or s3://bucket/key`},
		{in: "primary.example.net/canary", wantErr: `"primary.example.net/canary": want https://host/key, http://host/key or s3://bucket/key`},
		{in: "https://%zz/", wantErr: "cannot be parsed as a URL: want https://host/key, http://host/key or s3://bucket/key"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseCheck(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseCheck(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseCheck(%q): %v", tt.in, err)
			}
			if got.Kind != tt.want.Kind || got.Bucket != tt.want.Bucket || got.Key != tt.want.Key ||
				got.Endpoint != tt.want.Endpoint || got.Region != tt.want.Region {
				t.Errorf("ParseCheck(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			// String must give back a URL that parses to the same check.
			again, err := ParseCheck(got.String())
			if err != nil || again.String() != got.String() {
				t.Errorf("ParseCheck(%q).String() = %q does not round-trip: %v", tt.in, got.String(), err)
			}
			if got.Kind == "http" && got.String() != tt.in {
				t.Errorf("String() = %q, want the URL as given %q", got.String(), tt.in)
			}
		})
	}
}
