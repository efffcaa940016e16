package probe

import (
	"context"
	"errors"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// defaultRegion is used when an s3:// URL names none. A bucket in another
// AWS region answers with a redirect error, so name the region for those.
const defaultRegion = "us-east-1"

// s3Check signs a GetObject with SigV4. Its client is built on first use
// when it needs the default credential chain, so New stays cheap and never
// touches the network or the filesystem.
type s3Check struct {
	spec   Spec
	target CheckURL

	mu     sync.Mutex
	client *s3.Client
}

func newS3(spec Spec, t CheckURL, j judge) (Func, error) {
	if t.Region == "" {
		t.Region = defaultRegion
	}
	if (spec.AccessKeyID == "") != (spec.SecretAccessKey == "") {
		return nil, errors.New("probe: set both AccessKeyID and SecretAccessKey for s3://, or neither for the default AWS credential chain")
	}
	c := &s3Check{spec: spec, target: t}
	if spec.AccessKeyID != "" {
		c.client = s3.NewFromConfig(aws.Config{
			Region:      t.Region,
			Credentials: credentials.NewStaticCredentialsProvider(spec.AccessKeyID, spec.SecretAccessKey, ""),
			HTTPClient:  spec.HTTPClient,
		}, c.options)
	}
	return check(spec, RedactURL(t.URL), j, c.fetch), nil
}

// options apply after any shared AWS configuration, so nothing in the
// environment can turn retries back on or change where the check goes.
func (c *s3Check) options(o *s3.Options) {
	o.Region = c.target.Region
	o.HTTPClient = c.spec.HTTPClient
	// One attempt per check: FAIL_AFTER over several checks is the retry
	// policy, and SDK retries would hide a flapping origin and blow the
	// latency budget.
	o.Retryer = aws.NopRetryer{}
	o.RetryMaxAttempts = 1
	if c.target.Endpoint != "" {
		o.BaseEndpoint = aws.String(c.target.Endpoint)
		// S3-compatible services (MinIO, R2, gofakes3) rarely have a DNS
		// name per bucket.
		o.UsePathStyle = true
	}
	o.Credentials = namedCredentials{o.Credentials}
	// Canaries are small and often uploaded without a checksum; skipping
	// validation then is expected, not worth a log line per check.
	o.DisableLogOutputChecksumValidationSkipped = true
}

func (c *s3Check) getClient(ctx context.Context) (*s3.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client != nil {
		return c.client, nil
	}
	// The credential providers keep the SDK's own HTTP client: it honours
	// AWS_CA_BUNDLE, which the SDK refuses to add to a client it did not
	// build. Requests to the origin still go through Spec.HTTPClient (see
	// options), so its TLS trust and injected faults apply to every check.
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion(c.target.Region),
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }),
	)
	if err != nil {
		// Not cached: a fixed config file is picked up by the next check.
		return nil, failure("load AWS configuration: " + err.Error())
	}
	c.client = s3.NewFromConfig(cfg, c.options)
	return c.client, nil
}

func (c *s3Check) fetch(ctx context.Context) (int, []byte, string, error) {
	client, err := c.getClient(ctx)
	if err != nil {
		return 0, nil, "", err
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(c.target.Bucket),
		Key:    aws.String(c.target.Key),
	})
	if err != nil {
		return statusOf(err), nil, "", err
	}
	defer out.Body.Close()
	status := 200
	if raw, ok := awsmiddleware.GetRawResponse(out.ResultMetadata).(*smithyhttp.Response); ok {
		status = raw.StatusCode
	}
	body, err := readBody(out.Body)
	return status, body, aws.ToString(out.ETag), err
}

// statusOf is the HTTP status an SDK error carries, 0 when none was received.
func statusOf(err error) int {
	var withStatus interface{ HTTPStatusCode() int }
	if errors.As(err, &withStatus) {
		return withStatus.HTTPStatusCode()
	}
	return 0
}

// namedCredentials marks errors of the credential chain, which otherwise
// surface as their innermost cause (e.g. "connection refused" from the
// instance metadata service) and would be mistaken for the origin's.
type namedCredentials struct{ aws.CredentialsProvider }

func (n namedCredentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if n.CredentialsProvider == nil {
		return aws.Credentials{}, credentialsError{errors.New("no credential provider")}
	}
	creds, err := n.CredentialsProvider.Retrieve(ctx)
	if err != nil {
		return creds, credentialsError{err}
	}
	return creds, nil
}

type credentialsError struct{ err error }

func (e credentialsError) Error() string { return "get AWS credentials: " + e.err.Error() }
func (e credentialsError) Unwrap() error { return e.err }
