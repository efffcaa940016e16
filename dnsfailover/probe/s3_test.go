package probe

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

const (
	testBucket = "origin-primary"
	testKey    = "health/canary.txt"
	testAKID   = "AKIDSWITCHYARDTEST"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
)

// newS3Origin serves an in-memory S3 holding the canary object. wrap, when
// not nil, stands between the client and gofakes3 to inject faults.
func newS3Origin(t *testing.T, wrap func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(testBucket); err != nil {
		t.Fatal(err)
	}
	if _, err := backend.PutObject(testBucket, testKey, map[string]string{"Content-Type": "text/plain"}, strings.NewReader(canary), int64(len(canary)), nil); err != nil {
		t.Fatal(err)
	}
	var h http.Handler = gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// requireSigV4 answers AccessDenied unless the request carries a valid
// SigV4 signature by testAKID/testSecret for service s3, recomputed here
// from the request as received by an independent implementation of AWS's
// documented algorithm (gofakes3 checks no signatures). It is what proves
// that the check signs, with which key, and that S3 would accept it.
func requireSigV4(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := verifySigV4(r, testAKID, testSecret); err != nil {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// verifySigV4 checks r's Authorization header as S3 does
// (docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html):
// the canonical request from the path as sent (S3 does not escape it
// again), the sorted query, the signed headers, and x-amz-content-sha256.
func verifySigV4(r *http.Request, akid, secret string) error {
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ")
	if !ok {
		return errors.New("not SigV4")
	}
	fields := map[string]string{}
	for _, f := range strings.Split(auth, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
		fields[k] = v
	}
	scope := strings.Split(fields["Credential"], "/") // akid/date/region/service/aws4_request
	if len(scope) != 5 || scope[0] != akid || scope[3] != "s3" || scope[4] != "aws4_request" {
		return fmt.Errorf("credential %q", fields["Credential"])
	}
	var headers strings.Builder
	for _, name := range strings.Split(fields["SignedHeaders"], ";") {
		v := r.Header.Get(name)
		if name == "host" {
			v = r.Host
		}
		fmt.Fprintf(&headers, "%s:%s\n", name, strings.TrimSpace(v))
	}
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var query []string
	for _, k := range keys {
		for _, v := range q[k] {
			query = append(query, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	canonical := strings.Join([]string{r.Method, r.URL.EscapedPath(), strings.Join(query, "&"), headers.String(),
		fields["SignedHeaders"], r.Header.Get("X-Amz-Content-Sha256")}, "\n")
	date := r.Header.Get("X-Amz-Date")
	sum := sha256.Sum256([]byte(canonical))
	toSign := strings.Join([]string{"AWS4-HMAC-SHA256", date, strings.Join(scope[1:], "/"), hex.EncodeToString(sum[:])}, "\n")
	key := []byte("AWS4" + secret)
	for _, part := range append(scope[1:], toSign) {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(part))
		key = m.Sum(nil)
	}
	if !hmac.Equal([]byte(hex.EncodeToString(key)), []byte(fields["Signature"])) {
		return errors.New("signature does not match")
	}
	return nil
}

func s3URL(bucket, key string, srv *httptest.Server) string {
	return "s3://" + bucket + "/" + key + "?endpoint=" + url.QueryEscape(srv.URL) + "&region=eu-west-1"
}

// countingClient counts the requests that went through it, proving the SDK
// used Spec.HTTPClient and made exactly one attempt.
func countingClient(n *atomic.Int64) *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		n.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestS3(t *testing.T) {
	signed := newS3Origin(t, requireSigV4)
	unavailable := newS3Origin(t, func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "upstream down", http.StatusServiceUnavailable)
		})
	})
	slowDown := newS3Origin(t, func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`))
		})
	})

	tests := []struct {
		name       string
		url        string
		akid, sha  string
		has        string
		ok         bool
		status     int
		reason     string
		wantTarget string
	}{
		{name: "ok", url: s3URL(testBucket, testKey, signed), sha: sum(canary), has: "canary", ok: true, status: 200},
		{name: "wrong key", url: s3URL(testBucket, "health/nope.txt", signed), status: 404, reason: "NoSuchKey (status 404)"},
		{name: "wrong bucket", url: s3URL("origin-gone", testKey, signed), status: 404, reason: "NoSuchBucket (status 404)"},
		{name: "wrong hash", url: s3URL(testBucket, testKey, signed), sha: sum("stale"), status: 200, reason: "body sha256 " + sum(canary)[:12]},
		{name: "missing substring", url: s3URL(testBucket, testKey, signed), has: "v2", status: 200, reason: `does not contain "v2"`},
		{name: "wrong access key", url: s3URL(testBucket, testKey, signed), akid: "AKIDSOMEONEELSE", status: 403, reason: "AccessDenied (status 403): Access Denied"},
		{name: "503 without an S3 error", url: s3URL(testBucket, testKey, unavailable), status: 503, reason: "status 503 Service Unavailable"},
		{name: "503 SlowDown", url: s3URL(testBucket, testKey, slowDown), status: 503, reason: "SlowDown (status 503): Please reduce your request rate."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			akid := testAKID
			if tt.akid != "" {
				akid = tt.akid
			}
			var requests atomic.Int64
			check := mustNew(t, Spec{
				URL: tt.url, SHA256: tt.sha, Contains: tt.has, Timeout: 5 * time.Second,
				AccessKeyID: akid, SecretAccessKey: testSecret, HTTPClient: countingClient(&requests),
			})
			r := check(context.Background())
			wantResult(t, r, tt.ok, tt.status, tt.reason)
			if strings.Contains(r.Reason, testSecret) || strings.Contains(r.Target, testSecret) {
				t.Errorf("result leaks the secret key: %+v", r)
			}
			if r.Target != tt.url {
				t.Errorf("Target = %q, want %q", r.Target, tt.url)
			}
			if got := requests.Load(); got != 1 {
				t.Errorf("%d requests through Spec.HTTPClient, want exactly 1 (no SDK retries)", got)
			}
		})
	}
}

func TestS3DefaultCredentialChain(t *testing.T) {
	// Only the environment may supply keys: no files of whoever runs the test.
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ACCESS_KEY_ID", testAKID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testSecret)
	t.Setenv("AWS_MAX_ATTEMPTS", "5")                     // must not turn SDK retries back on
	t.Setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:1") // must not beat endpoint=
	// A CA bundle for AWS must not break a check that brings its own client.
	caFile := filepath.Join(dir, "ca.pem")
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	tlsSrv.Close()
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CA_BUNDLE", caFile)

	signed := newS3Origin(t, requireSigV4)
	var requests atomic.Int64
	check := mustNew(t, Spec{URL: s3URL(testBucket, testKey, signed), Contains: "canary", HTTPClient: countingClient(&requests)})
	wantResult(t, check(context.Background()), true, 200, "")

	down := newS3Origin(t, func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "down", http.StatusInternalServerError)
		})
	})
	requests.Store(0)
	check = mustNew(t, Spec{URL: s3URL(testBucket, testKey, down), HTTPClient: countingClient(&requests)})
	wantResult(t, check(context.Background()), false, 500, "status 500 Internal Server Error")
	if got := requests.Load(); got != 1 {
		t.Errorf("%d requests, want exactly 1 (no SDK retries)", got)
	}
}

func TestS3Timeout(t *testing.T) {
	hung := newS3Origin(t, func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	})
	check := mustNew(t, Spec{URL: s3URL(testBucket, testKey, hung), AccessKeyID: testAKID, SecretAccessKey: testSecret, Timeout: 50 * time.Millisecond})
	wantResult(t, check(context.Background()), false, 0, "timeout after 50ms")
}

func TestS3NoCredentials(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	for _, name := range []string{"AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		t.Setenv(name, "")
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	var requests atomic.Int64
	srv := newS3Origin(t, nil)
	r := mustNew(t, Spec{URL: s3URL(testBucket, testKey, srv), HTTPClient: countingClient(&requests)})(context.Background())
	wantResult(t, r, false, 0, "no usable AWS credentials: ")
	if requests.Load() != 0 {
		t.Errorf("an unsigned request reached the origin")
	}
}

// TestS3ObjectURL: where a GetObject goes, as the S3 API documents it, and
// a key escaped once the way SigV4 signs it.
func TestS3ObjectURL(t *testing.T) {
	tests := []struct {
		bucket, key, endpoint, region string
		want                          string
	}{
		{"origin-primary", "health/canary.txt", "", "eu-west-1", "https://origin-primary.s3.eu-west-1.amazonaws.com/health/canary.txt"},
		{"assets.example.com", "canary.txt", "", "us-east-1", "https://s3.us-east-1.amazonaws.com/assets.example.com/canary.txt"},
		{"origin", "a b/c+d=é.txt", "", "us-east-1", "https://origin.s3.us-east-1.amazonaws.com/a%20b/c%2Bd%3D%C3%A9.txt"},
		{"origin", "k.txt", "http://127.0.0.1:9000", "auto", "http://127.0.0.1:9000/origin/k.txt"},
		{"origin", "k.txt", "https://acct.r2.cloudflarestorage.com/", "auto", "https://acct.r2.cloudflarestorage.com/origin/k.txt"},
	}
	for _, tt := range tests {
		u, err := objectURL(CheckURL{Bucket: tt.bucket, Key: tt.key, Endpoint: tt.endpoint, Region: tt.region})
		if err != nil {
			t.Fatalf("objectURL(%s, %s): %v", tt.bucket, tt.key, err)
		}
		if got := u.String(); got != tt.want {
			t.Errorf("objectURL(%s, %q, %q) = %s, want %s", tt.bucket, tt.key, tt.endpoint, got, tt.want)
		}
	}
}

// TestS3KeyThatNeedsEscaping: a key with spaces, '+' and non-ASCII reaches
// the object and its signature holds.
func TestS3KeyThatNeedsEscaping(t *testing.T) {
	const key = "health/canary v2+é.txt"
	backend := s3mem.New()
	if err := backend.CreateBucket(testBucket); err != nil {
		t.Fatal(err)
	}
	if _, err := backend.PutObject(testBucket, key, map[string]string{}, strings.NewReader(canary), int64(len(canary)), nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(requireSigV4(gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server()))
	t.Cleanup(srv.Close)
	check := mustNew(t, Spec{URL: "s3://" + testBucket + "/" + url.PathEscape("health") + "/" + url.PathEscape("canary v2+é.txt") + "?endpoint=" + url.QueryEscape(srv.URL) + "&region=eu-west-1",
		Contains: "canary", AccessKeyID: testAKID, SecretAccessKey: testSecret})
	wantResult(t, check(context.Background()), true, 200, "")
}

// TestS3WrongSecretIsRefused: the test origin really verifies signatures.
func TestS3WrongSecretIsRefused(t *testing.T) {
	srv := newS3Origin(t, requireSigV4)
	check := mustNew(t, Spec{URL: s3URL(testBucket, testKey, srv), AccessKeyID: testAKID, SecretAccessKey: "not" + testSecret})
	wantResult(t, check(context.Background()), false, 403, "AccessDenied (status 403): Access Denied")
}
