package origins

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// wrap puts the played faults in front of the S3 API: count, delay, then
// either the outage error or the real answer.
func (o *Origin) wrap(s3 http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := o.requests.Add(1)
		w.Header().Set("X-Switchyard-Origin", o.name)
		if d := time.Duration(o.delay.Load()); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done(): // the client gave up: nobody to answer
				t.Stop()
				panic(http.ErrAbortHandler)
			case <-o.closed:
				// Returning would send an empty 200; aborting drops the
				// connection as a dying server does.
				t.Stop()
				panic(http.ErrAbortHandler)
			}
		}
		if o.down.Load() {
			writeUnavailable(w, r, fmt.Sprintf("%016X", n))
			return
		}
		if o.wrongBody.Load() && isObjectRead(r) {
			writeWrongBody(w, r)
			return
		}
		s3.ServeHTTP(w, r)
	})
}

// s3Error is S3's error document.
type s3Error struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource"`
	RequestID string   `xml:"RequestId"`
}

// writeUnavailable answers as S3 did during its 2017 outage: 503 with the
// ServiceUnavailable code, which SDKs treat as retryable.
func writeUnavailable(w http.ResponseWriter, r *http.Request, requestID string) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-amz-request-id", requestID)
	w.WriteHeader(http.StatusServiceUnavailable)
	if r.Method == http.MethodHead {
		return
	}
	body, _ := xml.Marshal(s3Error{ // cannot fail: fixed struct of strings
		Code:      "ServiceUnavailable",
		Message:   "Service is unable to handle request.",
		Resource:  r.URL.Path,
		RequestID: requestID,
	})
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}

// WrongBody is what an origin set to SetWrongBody answers for every object:
// a maintenance page with 200, as a misconfigured CDN or bucket policy
// serves one.
const WrongBody = "<html><body>Down for maintenance</body></html>\n"

// isObjectRead: a path-style GET or HEAD of an object (/bucket/key), the
// requests a wrong-body origin answers wrongly; bucket operations still work.
func isObjectRead(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	_, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return key != ""
}

func writeWrongBody(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", strconv.Itoa(len(WrongBody)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = io.WriteString(w, WrongBody)
	}
}
