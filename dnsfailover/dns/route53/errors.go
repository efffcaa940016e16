package route53

import (
	"context"
	"errors"
	"fmt"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/switchyard-dns/switchyard/dnsfailover/dns"
)

// transient reports whether another attempt may succeed: throttling, a
// change of the zone still in progress, a 5xx, or no answer at all.
func transient(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "Throttling", "ThrottlingException", "RequestLimitExceeded", "PriorRequestNotComplete",
			"ServiceUnavailable", "InternalFailure", "InternalError":
			return true
		}
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode() >= 500
	}
	return ae == nil // no API answer: a network error or a request timeout
}

// classify marks err dns.ErrTransient (the dns.Retry retries it, and a
// change batch that failed so may have been applied) or dns.ErrPermanent.
// ctx is the request's: the caller's context ending is returned as is.
func classify(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded):
		return ctx.Err()
	case transient(err):
		return fmt.Errorf("%w: %w", err, dns.ErrTransient)
	}
	return fmt.Errorf("%w: %w", err, dns.ErrPermanent)
}
