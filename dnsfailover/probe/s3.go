package probe

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/encoding/httpbinding"
)

// defaultRegion is used when an s3:// URL names none. A bucket in another
// AWS region answers with a redirect error, so name the region for those.
const defaultRegion = "us-east-1"

// An s3:// check is one GetObject: a GET of the object's URL signed with
// SigV4 by the AWS SDK's signer, sent through Spec.HTTPClient, its S3 error
// document (if any) read with encoding/xml. The SDK's S3 client would do
// the same, and would put its whole service model into every bootstrap:
// about 5 MB of a Lambda binary that must stay under 16 MB, for one call.
type s3Check struct {
	spec   Spec
	target CheckURL
	url    *url.URL
	client *http.Client
	signer *v4.Signer

	// creds is built on first use when it needs the default credential
	// chain, so New stays cheap and never touches the network or the
	// filesystem.
	mu    sync.Mutex
	creds aws.CredentialsProvider
}

func newS3(spec Spec, t CheckURL, j judge) (Func, error) {
	if t.Region == "" {
		t.Region = defaultRegion
	}
	if (spec.AccessKeyID == "") != (spec.SecretAccessKey == "") {
		return nil, errors.New("probe: set both AccessKeyID and SecretAccessKey for s3://, or neither for the default AWS credential chain")
	}
	u, err := objectURL(t)
	if err != nil {
		return nil, err
	}
	c := &s3Check{spec: spec, target: t, url: u,
		// S3 keys are signed as sent, escaped once (as the SDK's S3 client does).
		signer: v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }),
	}
	// A redirect from S3 is an error to report (a bucket in another
	// region), never a place to send a signed request.
	cp := *spec.HTTPClient
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.client = &cp
	if spec.AccessKeyID != "" {
		c.creds = credentials.NewStaticCredentialsProvider(spec.AccessKeyID, spec.SecretAccessKey, "")
	}
	return check(spec, RedactURL(t.URL), j, c.fetch), nil
}

// virtualHostable matches the bucket names AWS serves at
// <bucket>.s3.<region>.amazonaws.com over HTTPS: one DNS label (a dot would
// break the wildcard certificate), lower case.
var virtualHostable = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

// objectURL is where the object is fetched: path style under an explicit
// endpoint (S3-compatible services such as MinIO, R2 or gofakes3 rarely
// have a DNS name per bucket), virtual-hosted style at AWS when the bucket
// name allows it, else path style at the regional endpoint. The key is
// escaped as SigV4 signs it (httpbinding.EscapePath, the SDK's own).
func objectURL(t CheckURL) (*url.URL, error) {
	var base, bucketPath string
	switch {
	case t.Endpoint != "":
		base, bucketPath = strings.TrimSuffix(t.Endpoint, "/"), "/"+t.Bucket
	case virtualHostable.MatchString(t.Bucket):
		base = fmt.Sprintf("https://%s.s3.%s.amazonaws.com", t.Bucket, t.Region)
	default:
		base, bucketPath = fmt.Sprintf("https://s3.%s.amazonaws.com", t.Region), "/"+t.Bucket
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("probe: S3 endpoint %q: %w", base, err)
	}
	prefix := strings.TrimSuffix(u.Path, "/") + bucketPath + "/"
	u.Path = prefix + t.Key
	u.RawPath = httpbinding.EscapePath(prefix, false) + httpbinding.EscapePath(t.Key, false)
	return u, nil
}

func (c *s3Check) credentials(ctx context.Context) (aws.CredentialsProvider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.creds != nil {
		return c.creds, nil
	}
	// The credential providers keep the SDK's own HTTP client: it honours
	// AWS_CA_BUNDLE, which the SDK refuses to add to a client it did not
	// build. Requests to the origin still go through Spec.HTTPClient, so its
	// TLS trust and injected faults apply to every check. Nothing in the
	// shared configuration (AWS_ENDPOINT_URL_S3, AWS_MAX_ATTEMPTS) reaches
	// the check itself: it takes only the credentials.
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion(c.target.Region),
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }),
	)
	if err != nil {
		// Not cached: a fixed config file is picked up by the next check.
		return nil, failure("load AWS configuration: " + err.Error())
	}
	if cfg.Credentials == nil {
		return nil, credentialsError{errors.New("no credential provider")}
	}
	c.creds = cfg.Credentials
	return c.creds, nil
}

// emptyPayload is the SHA-256 of a GET's empty body, which SigV4 signs and
// S3 wants in x-amz-content-sha256.
var emptyPayload = func() string { s := sha256.Sum256(nil); return hex.EncodeToString(s[:]) }()

func (c *s3Check) fetch(ctx context.Context) (int, []byte, string, error) {
	provider, err := c.credentials(ctx)
	if err != nil {
		return 0, nil, "", err
	}
	creds, err := provider.Retrieve(ctx)
	if err != nil {
		return 0, nil, "", credentialsError{err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url.String(), nil)
	if err != nil {
		return 0, nil, "", fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("X-Amz-Content-Sha256", emptyPayload)
	if err := c.signer.SignHTTP(ctx, creds, req, emptyPayload, "s3", c.target.Region, c.spec.Now()); err != nil {
		return 0, nil, "", fmt.Errorf("sign request: %w", err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	body, err := readBody(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, "", err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if apiErr := s3Error(body); apiErr != nil {
			return resp.StatusCode, nil, "", apiErr
		}
		return resp.StatusCode, nil, "", nil // no S3 error document: the status says it all
	}
	return resp.StatusCode, body, resp.Header.Get("ETag"), nil
}

// s3Error reads S3's error document (<Error><Code>NoSuchKey</Code>
// <Message>…</Message></Error>), nil when body is not one.
func s3Error(body []byte) error {
	var doc struct {
		XMLName xml.Name `xml:"Error"`
		Code    string   `xml:"Code"`
		Message string   `xml:"Message"`
	}
	if xml.Unmarshal(body, &doc) != nil || doc.Code == "" {
		return nil
	}
	return &smithy.GenericAPIError{Code: doc.Code, Message: doc.Message}
}

// credentialsError marks errors of the credential chain, which otherwise
// surface as their innermost cause (e.g. "connection refused" from the
// instance metadata service) and would be mistaken for the origin's.
type credentialsError struct{ err error }

func (e credentialsError) Error() string { return "get AWS credentials: " + e.err.Error() }
func (e credentialsError) Unwrap() error { return e.err }
