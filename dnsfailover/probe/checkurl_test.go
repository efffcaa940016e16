package probe

import (
	"strings"
	"testing"
)

func TestParseCheckURL(t *testing.T) {
	tests := []struct {
		in      string
		want    CheckURL // URL compared through String
		wantErr string
	}{
		{in: "https://primary.example.net/canary.txt", want: CheckURL{Kind: KindHTTP}},
		{in: "http://127.0.0.1:8081/c?v=1", want: CheckURL{Kind: KindHTTP}},
		{in: "s3://bucket/dir/canary.txt", want: CheckURL{Kind: KindS3, Bucket: "bucket", Key: "dir/canary.txt"}},
		{
			in:   "s3://bucket/canary.txt?endpoint=https://acct.r2.cloudflarestorage.com&region=auto",
			want: CheckURL{Kind: KindS3, Bucket: "bucket", Key: "canary.txt", Endpoint: "https://acct.r2.cloudflarestorage.com", Region: "auto"},
		},
		{in: "s3://bucket/k?region=eu-west-1&region=us-east-1", wantErr: "region is given 2 times"},
		{in: "s3:///k", wantErr: "no bucket: want s3://bucket/key"},
		{in: "s3://bucket/", wantErr: "no object key: want s3://bucket/key"},
		{in: "s3://bucket/k?endpoint=", wantErr: "endpoint is empty: want an absolute http:// or https:// URL"},
		{in: "s3://bucket/k?endpoint=http://h:1&region=%zz", wantErr: "query cannot be parsed: want ?endpoint=URL&region=R"},
		{in: "s3://AKID:secret@bucket/k", wantErr: "must not contain user info: credentials do not belong in a URL"},
		{in: "gs://bucket/k", wantErr: `"gs://bucket/k": want https://host/key, http://host/key or s3://bucket/key`},
		{in: "primary.example.net/canary", wantErr: `"primary.example.net/canary": want https://host/key, http://host/key or s3://bucket/key`},
		{in: "https://probe:hunter2@primary.example.net/c", wantErr: "must not contain user info: credentials do not belong in a URL"},
		{in: "s3://bucket/k?endpoint=http://a&endpoint=http://b", wantErr: "endpoint is given 2 times"},
		{in: "s3://bucket/k?region=", wantErr: `region "": want a region such as us-east-1`},
		{in: "ftp://h/k?token=hunter2", wantErr: `"ftp://h/k?token=REDACTED": want https://host/key, http://host/key or s3://bucket/key`},
		{in: "https:user:hunter2@h/k", wantErr: `(value not shown: it contains '@' and may hold credentials) has no host: want https://host/key, http://host/key or s3://bucket/key`},
		{in: "", wantErr: "is empty: want https://host/key, http://host/key or s3://bucket/key"},
		{in: "https://%zz/", wantErr: "cannot be parsed as a URL: want https://host/key, http://host/key or s3://bucket/key"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseCheckURL(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseCheckURL(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseCheckURL(%q): %v", tt.in, err)
			}
			if got.Kind != tt.want.Kind || got.Bucket != tt.want.Bucket || got.Key != tt.want.Key ||
				got.Endpoint != tt.want.Endpoint || got.Region != tt.want.Region {
				t.Errorf("ParseCheckURL(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			// String must give back a URL that parses to the same check.
			again, err := ParseCheckURL(got.String())
			if err != nil || again.String() != got.String() {
				t.Errorf("ParseCheckURL(%q).String() = %q does not round-trip: %v", tt.in, got.String(), err)
			}
			if got.Kind == KindHTTP && got.String() != tt.in {
				t.Errorf("String() = %q, want the URL as given %q", got.String(), tt.in)
			}
		})
	}
}

// FuzzParseCheckURL checks that a check location never panics the parser,
// that an error never repeats a URL's password, and that an accepted check
// written back with String parses to the same check.
func FuzzParseCheckURL(f *testing.F) {
	for _, s := range []string{
		"https://h/k", "http://h:80/a/b?x=1", "s3://bucket/key?endpoint=http://127.0.0.1:9000&region=us-east-1",
		"s3://b/k?region=US", "s3:///k", "s3://b/", "ftp://h/k", "https://user:hunter2@h/k", "%", "s3://b/k?endpoint=x&endpoint=y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ParseCheckURL(in)
		if err != nil {
			if strings.Contains(in, ":hunter2@") && strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("ParseCheckURL(%q) error repeats the password: %v", in, err)
			}
			return
		}
		again, err := ParseCheckURL(c.String())
		if err != nil {
			t.Fatalf("ParseCheckURL(%q) accepted, but its String %q: %v", in, c.String(), err)
		}
		if again.Kind != c.Kind || again.Bucket != c.Bucket || again.Key != c.Key || again.Endpoint != c.Endpoint || again.Region != c.Region {
			t.Fatalf("round trip of %q through %q: %+v, want %+v", in, c.String(), again, c)
		}
	})
}
