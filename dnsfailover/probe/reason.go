package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// errCheckTimeout is the cause of a context ended by Spec.Timeout, which
// tells our own limit apart from the caller's deadline.
var errCheckTimeout = errors.New("check timeout")

// failure is a reason already worded for a person by the fetcher.
type failure string

func (f failure) Error() string { return string(f) }

// errBodyTooLarge marks a canary bigger than MaxBody.
var errBodyTooLarge = failure(fmt.Sprintf("body larger than the %d MiB limit", MaxBody>>20))

// explain words a failed fetch so the reader knows where to look: their
// network (timeout, refused, DNS), the certificate, or the origin's answer.
// It never includes the URL, which may carry secrets.
func explain(ctx context.Context, err error, status int, timeout, elapsed time.Duration) string {
	if ctx.Err() != nil {
		return explainContext(ctx, status, timeout, elapsed)
	}
	var f failure
	if errors.As(err, &f) {
		return string(f)
	}
	var creds credentialsError
	if errors.As(err, &creds) {
		return "no usable AWS credentials: " + withoutLayers(creds.err).Error()
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		return explainAPI(api, status)
	}
	var dnsErr *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the origin"
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return fmt.Sprintf("DNS: no such host %s", dnsErr.Name)
		}
		return fmt.Sprintf("DNS lookup of %s failed: %s", dnsErr.Name, dnsErr.Err)
	case errors.As(err, &unknownCA):
		return "TLS: certificate signed by an unknown authority"
	case errors.As(err, &hostErr):
		return "TLS: " + hostErr.Error()
	case errors.As(err, &invalidCert):
		return "TLS: " + invalidCert.Error()
	case errors.Is(err, http.ErrSchemeMismatch):
		return "TLS: the origin answered plain HTTP on an https:// URL"
	case errors.As(err, &recordErr):
		return "TLS: the origin did not answer with TLS"
	case errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Sprintf("timeout after %s", elapsed.Round(time.Millisecond))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection closed before the whole body arrived"
	case errors.As(err, &opErr):
		return fmt.Sprintf("%s: %v", opErr.Op, opErr.Err)
	}
	return withoutLayers(err).Error()
}

// withoutLayers drops the wrappers that only repeat the request (url.Error
// with its URL, the SDK's operation and send errors) and keeps the rest,
// which says what was being done when it failed.
func withoutLayers(err error) error {
	for {
		var next error
		switch e := err.(type) {
		case *url.Error:
			next = e.Err
		case *smithy.OperationError:
			next = e.Err
		case *smithyhttp.RequestSendError:
			next = e.Err
		}
		if next == nil {
			return err
		}
		err = next
	}
}

// ReasonCanceled begins the Reason of a check its caller gave up on before
// it answered (the round was stopped, e.g. a process shutting down): no
// finding about the origin.
const ReasonCanceled = "canceled by the caller"

// Canceled reports whether r failed only because its caller gave up on it.
func (r Result) Canceled() bool { return !r.OK && strings.HasPrefix(r.Reason, ReasonCanceled) }

func explainContext(ctx context.Context, status int, timeout, elapsed time.Duration) string {
	var what string
	switch {
	case context.Cause(ctx) == errCheckTimeout:
		what = fmt.Sprintf("timeout after %s", timeout)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		what = fmt.Sprintf("timeout after %s (the caller's deadline)", elapsed.Round(time.Millisecond))
	default:
		what = ReasonCanceled
	}
	if status != 0 {
		what += fmt.Sprintf(" while reading the body (%s)", statusText(status))
	}
	return what
}

// explainAPI words an error the S3 service answered with, e.g.
// "NoSuchKey (status 404): The specified key does not exist.".
func explainAPI(api smithy.APIError, status int) string {
	code, msg := api.ErrorCode(), api.ErrorMessage()
	if code == "" || code == "UnknownError" || code == strings.ReplaceAll(http.StatusText(status), " ", "") {
		// No S3 error document (the SDK names the code after the status):
		// the status is all there is.
		return statusText(status)
	}
	s := code
	if status != 0 {
		s += fmt.Sprintf(" (status %d)", status)
	}
	if msg != "" {
		s += ": " + msg
	}
	return s
}

func statusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return fmt.Sprintf("status %d %s", status, t)
	}
	return fmt.Sprintf("status %d", status)
}
