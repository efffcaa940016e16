package origins

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

const (
	bucket = "primary-assets"
	key    = "canary/health.txt"
)

var canary = []byte("switchyard canary v1\n")

func startOrigin(t *testing.T) *Origin {
	t.Helper()
	o, err := Start("primary", bucket, key, canary)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(o.Close)
	return o
}

// s3Client talks to o as switchyard's s3:// probe does: path style, a base
// endpoint, SigV4 with static keys, and no retries so each call is one request.
func s3Client(o *Origin, secret string) *s3.Client {
	return s3.New(s3.Options{
		Region:           Region,
		BaseEndpoint:     aws.String(o.URL()),
		UsePathStyle:     true,
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", secret, ""),
		RetryMaxAttempts: 1,
	})
}

func getObject(ctx context.Context, c *s3.Client) ([]byte, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

func TestGetObject(t *testing.T) {
	o := startOrigin(t)
	tests := []struct {
		name   string
		secret string
	}{
		{"signed", "secret-key"},
		// gofakes3 does not verify SigV4: a wrong secret is served too.
		{"wrong secret still served", "not-the-secret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := o.Requests()
			body, err := getObject(context.Background(), s3Client(o, tc.secret))
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			if string(body) != string(canary) {
				t.Errorf("body = %q, want %q", body, canary)
			}
			if got := o.Requests() - before; got != 1 {
				t.Errorf("requests counted = %d, want 1", got)
			}
		})
	}
}

func TestAnonymousHTTPGet(t *testing.T) {
	o := startOrigin(t)
	resp, err := http.Get(o.HTTPURL())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != string(canary) {
		t.Errorf("GET %s = %d %q, want 200 %q", o.HTTPURL(), resp.StatusCode, body, canary)
	}
	if got := resp.Header.Get("X-Switchyard-Origin"); got != "primary" {
		t.Errorf("X-Switchyard-Origin = %q, want primary", got)
	}
}

func TestSetDown(t *testing.T) {
	o := startOrigin(t)
	c := s3Client(o, "secret-key")
	o.SetDown(true)

	t.Run("SDK sees 503 ServiceUnavailable", func(t *testing.T) {
		_, err := getObject(context.Background(), c)
		var re *smithyhttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusServiceUnavailable {
			t.Fatalf("GetObject error = %v, want HTTP 503", err)
		}
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "ServiceUnavailable" {
			t.Errorf("error code = %v, want ServiceUnavailable", err)
		}
	})
	t.Run("plain GET sees the S3 error document", func(t *testing.T) {
		resp, err := http.Get(o.HTTPURL())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "<Code>ServiceUnavailable</Code>") {
			t.Errorf("GET = %d %s, want 503 with ServiceUnavailable", resp.StatusCode, body)
		}
	})
	t.Run("served again once up", func(t *testing.T) {
		o.SetDown(false)
		if _, err := getObject(context.Background(), c); err != nil {
			t.Errorf("GetObject after SetDown(false): %v", err)
		}
	})
}

func TestSetDelay(t *testing.T) {
	t.Run("deadline aborts and the handler ends", func(t *testing.T) {
		o := startOrigin(t)
		o.SetDelay(time.Hour)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := getObject(ctx, s3Client(o, "secret-key"))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("GetObject error = %v, want context deadline exceeded", err)
		}
		// Shutdown waits for running handlers without cutting them off: it
		// returns in time only if the delayed handler saw the client leave.
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		if err := o.srv.Shutdown(sctx); err != nil {
			t.Errorf("delayed handler still running after the client left: %v", err)
		}
	})
	t.Run("short delay is served late", func(t *testing.T) {
		o := startOrigin(t)
		const d = 50 * time.Millisecond
		o.SetDelay(d)
		start := time.Now()
		if _, err := getObject(context.Background(), s3Client(o, "secret-key")); err != nil {
			t.Fatalf("GetObject: %v", err)
		}
		if took := time.Since(start); took < d {
			t.Errorf("request took %v, want at least %v", took, d)
		}
	})
}

func TestCloseEndsPendingDelays(t *testing.T) {
	o, err := Start("slow", bucket, key, canary)
	if err != nil {
		t.Fatal(err)
	}
	o.SetDelay(time.Hour)
	errc := make(chan error, 1)
	go func() {
		_, err := http.Get(o.HTTPURL())
		errc <- err
	}()
	// Close must not wait for the hour; it returns once Serve has.
	waitRequests(t, o, 1)
	o.Close()
	if err := <-errc; err == nil {
		t.Error("request to a closed origin succeeded")
	}
}

// waitRequests blocks until o has counted n requests, polling briefly since
// the server offers no channel for it.
func waitRequests(t *testing.T, o *Origin, n uint64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for o.Requests() < n {
		if time.Now().After(deadline) {
			t.Fatalf("origin saw %d requests, want %d", o.Requests(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestURLs(t *testing.T) {
	o := startOrigin(t)
	if !strings.HasPrefix(o.URL(), "http://127.0.0.1:") {
		t.Errorf("URL = %q, want http://127.0.0.1:PORT", o.URL())
	}
	u, err := url.Parse(o.CheckURL())
	if err != nil {
		t.Fatalf("CheckURL %q: %v", o.CheckURL(), err)
	}
	q := u.Query()
	if u.Scheme != "s3" || u.Host != bucket || u.Path != "/"+key || q.Get("endpoint") != o.URL() || q.Get("region") != Region {
		t.Errorf("CheckURL = %q, want s3://%s/%s?endpoint=%s&region=%s", o.CheckURL(), bucket, key, o.URL(), Region)
	}
	if want := o.URL() + "/" + bucket + "/" + key; o.HTTPURL() != want {
		t.Errorf("HTTPURL = %q, want %q", o.HTTPURL(), want)
	}
}

func TestStartRejectsBadInput(t *testing.T) {
	tests := []struct {
		name, bucket, key, want string
	}{
		{"bad bucket", "Not_A_Bucket", key, `bucket "Not_A_Bucket"`},
		{"empty key", bucket, "", "key is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := Start("x", tc.bucket, tc.key, canary)
			if err == nil {
				o.Close()
				t.Fatal("Start succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

// TestSetWrongBody: the SDK's GetObject gets 200 and the maintenance page
// instead of the canary, and the origin serves the canary again once healed.
func TestSetWrongBody(t *testing.T) {
	o := startOrigin(t)
	c := s3Client(o, "any")
	o.SetWrongBody(true)
	got, err := getObject(context.Background(), c)
	if err != nil || string(got) != WrongBody {
		t.Fatalf("GetObject = %q, %v; want the wrong body %q", got, err, WrongBody)
	}
	o.SetWrongBody(false)
	if got, err := getObject(context.Background(), c); err != nil || string(got) != string(canary) {
		t.Fatalf("after healing: %q, %v; want the canary", got, err)
	}
}
