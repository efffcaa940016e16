package secrets

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// AWS fetches from Secrets Manager and SSM Parameter Store with the
// default credential chain (in Lambda: the function role, from the
// environment). The standard AWS_REGION and AWS_ENDPOINT_URL* variables
// apply, which is how tests point it at a local server.
type AWS struct {
	once sync.Once
	cfg  aws.Config
	err  error
}

var _ Fetcher = (*AWS)(nil)

// Fetch returns the SecretString of a secret or the decrypted value of a
// parameter.
func (a *AWS) Fetch(ctx context.Context, r Ref) (string, error) {
	a.once.Do(func() { a.cfg, a.err = awsconfig.LoadDefaultConfig(ctx) })
	if a.err != nil {
		return "", fmt.Errorf("AWS configuration: %w", a.err)
	}
	switch r.Store {
	case SecretsManager:
		c := secretsmanager.NewFromConfig(a.cfg, func(o *secretsmanager.Options) {
			if r.Region != "" {
				o.Region = r.Region
			}
		})
		out, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(r.ID)})
		if err != nil {
			return "", err
		}
		if out.SecretString == nil {
			return "", errors.New("the secret holds binary data: store the value as a string")
		}
		return *out.SecretString, nil
	case SSM:
		region := r.Region
		if region == "" {
			region = a.cfg.Region
		}
		return getParameter(ctx, a.cfg, region, r.ID)
	}
	return "", fmt.Errorf("unknown store %q", r.Store)
}
