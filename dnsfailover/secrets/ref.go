// Package secrets resolves secret settings that name where the secret is
// kept instead of holding it: a Secrets Manager secret ARN or an SSM
// SecureString parameter. A Lambda function then carries only the name in
// its environment, and the value is fetched once per cold start.
//
// Accepted forms of a reference:
//
//	arn:aws:secretsmanager:eu-west-1:123456789012:secret:switchyard-hmac-AbCdEf
//	arn:aws:ssm:eu-west-1:123456789012:parameter/switchyard/hmac
//	ssm:/switchyard/hmac   (a parameter name, in the function's own region)
//
// Any other value is the secret itself and is left alone.
package secrets

import (
	"fmt"
	"strings"
)

// Store names where a secret is kept.
type Store string

const (
	SecretsManager Store = "secretsmanager"
	SSM            Store = "ssm"
)

// Ref points at one secret. None of its fields is secret: it is the name
// of the secret, safe to log.
type Ref struct {
	Store Store
	// ID is what the store's API is called with: the secret ARN, or the
	// parameter ARN or name.
	ID string
	// Region is the region in the ARN, or "" for a bare parameter name
	// (the caller's region).
	Region string
}

func (r Ref) String() string { return string(r.Store) + " " + r.ID }

// ParseRef reports whether value is a reference and, if so, which. A value
// that starts like a reference but is malformed is an error rather than a
// literal secret, so a typo in an ARN cannot become an HMAC key.
func ParseRef(value string) (Ref, bool, error) {
	if name, ok := strings.CutPrefix(value, "ssm:"); ok {
		if !strings.HasPrefix(name, "/") || len(name) < 2 || strings.ContainsAny(name, " \t\n") {
			return Ref{}, false, fmt.Errorf("ssm:%s is not a parameter name: want ssm:/path/name", name)
		}
		return Ref{Store: SSM, ID: name}, true, nil
	}
	if !strings.HasPrefix(value, "arn:") {
		return Ref{}, false, nil
	}
	// arn:partition:service:region:account:resource
	parts := strings.SplitN(value, ":", 6)
	if len(parts) != 6 || !strings.HasPrefix(parts[1], "aws") {
		return Ref{}, false, nil // not an AWS ARN; a literal that happens to start with "arn:"
	}
	service, region, resource := parts[2], parts[3], parts[5]
	switch service {
	case "secretsmanager":
		if region == "" || !strings.HasPrefix(resource, "secret:") || len(resource) == len("secret:") {
			return Ref{}, false, fmt.Errorf("%s is not a Secrets Manager secret ARN: want arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME", value)
		}
		return Ref{Store: SecretsManager, ID: value, Region: region}, true, nil
	case "ssm":
		if region == "" || !strings.HasPrefix(resource, "parameter/") || len(resource) == len("parameter/") {
			return Ref{}, false, fmt.Errorf("%s is not an SSM parameter ARN: want arn:aws:ssm:REGION:ACCOUNT:parameter/NAME", value)
		}
		return Ref{Store: SSM, ID: value, Region: region}, true, nil
	}
	return Ref{}, false, nil
}
