package secrets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// getParameter calls SSM GetParameter with decryption. It is a small
// SigV4-signed AWS JSON 1.1 request built from the SDK's own signer and
// credentials rather than service/ssm: that client's generated schema
// registry covers every SSM operation and added 1.25 MB to the arm64
// bootstrap (12.7 MB against a 12 MB budget); this adds a few KB.
func getParameter(ctx context.Context, cfg aws.Config, region, name string) (string, error) {
	if region == "" {
		return "", errors.New("no region: set AWS_REGION or give the parameter's ARN")
	}
	body, err := json.Marshal(map[string]any{"Name": name, "WithDecryption": true})
	if err != nil {
		return "", err
	}
	endpoint := ssmEndpoint(cfg, region)
	var lastErr error
	for attempt := range 3 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return "", errors.Join(lastErr, ctx.Err())
			case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
			}
		}
		value, retry, err := ssmCall(ctx, cfg, region, endpoint, body)
		if err == nil || !retry {
			return value, err
		}
		lastErr = err
	}
	return "", lastErr
}

// ssmEndpoint honours AWS_ENDPOINT_URL_SSM and AWS_ENDPOINT_URL (read into
// cfg by the SDK's config loader) before the regional endpoint.
func ssmEndpoint(cfg aws.Config, region string) string {
	for _, s := range cfg.ConfigSources {
		if e, ok := s.(interface {
			GetServiceBaseEndpoint(context.Context, string) (string, bool, error)
		}); ok {
			if url, found, err := e.GetServiceBaseEndpoint(context.Background(), "SSM"); err == nil && found {
				return url
			}
		}
	}
	if cfg.BaseEndpoint != nil {
		return *cfg.BaseEndpoint
	}
	suffix := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		suffix = "amazonaws.com.cn"
	}
	return "https://ssm." + region + "." + suffix
}

// ssmCall makes one attempt; retry reports whether another may succeed.
func ssmCall(ctx context.Context, cfg aws.Config, region, endpoint string, body []byte) (value string, retry bool, err error) {
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return "", false, fmt.Errorf("credentials: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(endpoint, "/")+"/", bytes.NewReader(body))
	if err != nil {
		return "", false, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AmazonSSM.GetParameter")
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ssm", region, time.Now()); err != nil {
		return "", false, fmt.Errorf("sign: %w", err)
	}
	client := cfg.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", true, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", true, err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(raw, &e)
		code := e.Type[strings.LastIndex(e.Type, "#")+1:]
		retry := resp.StatusCode >= 500 || code == "ThrottlingException"
		return "", retry, fmt.Errorf("SSM GetParameter: %d %s %s", resp.StatusCode, code, e.Message)
	}
	var out struct {
		Parameter *struct {
			Value *string `json:"Value"`
		} `json:"Parameter"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", false, fmt.Errorf("SSM GetParameter: bad answer: %w", err)
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return "", false, errors.New("SSM GetParameter: no value in the answer")
	}
	return *out.Parameter.Value, false, nil
}
