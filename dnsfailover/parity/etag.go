package parity

import (
	"regexp"
	"strings"
)

// singlePartMD5 is an ETag that is the hex MD5 of the object, as S3, R2,
// GCS (XML API) and MinIO send for an object uploaded in one part without
// SSE-KMS/SSE-C. A multipart upload's ETag ends in -N (the MD5 of the
// parts' MD5s) and a weak ETag (W/"…") promises nothing about the bytes.
var singlePartMD5 = regexp.MustCompile(`^"?[0-9a-fA-F]{32}"?$`)

// compareETags says how the two ETags relate. It never fails an object:
// the SHA-256 of the bodies, which both checks computed, is the evidence.
// Even two single-part-looking ETags may differ for identical bytes (S3
// with SSE-KMS sends a 32-hex ETag that is not the MD5), so a difference
// where the bodies agree is shown as not comparable, not as a problem.
func compareETags(primary, standby string) string {
	switch {
	case primary == "" || standby == "":
		return "not comparable: an origin sent no ETag"
	case !singlePartMD5.MatchString(primary) || !singlePartMD5.MatchString(standby):
		return "not comparable: multipart, weak or provider-specific ETag"
	case strings.EqualFold(strings.Trim(primary, `"`), strings.Trim(standby, `"`)):
		return "same"
	default:
		return "different"
	}
}
