// Package origins runs S3-compatible storage origins in process for the local
// world: each Origin is a gofakes3 server on a loopback port holding one
// bucket with one canary object, and can be taken down or slowed at will to
// play an outage.
//
// gofakes3 does not verify SigV4 signatures (nor check credentials at all):
// any signed request, and any anonymous one, is served. That is why HTTPURL
// can fetch the canary without credentials, and why a wrong secret key still
// succeeds here although it would fail against real S3. Tests of credential
// handling need a real endpoint; the local world only plays availability.
package origins

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Region is the region in CheckURL; gofakes3 accepts any.
const Region = "us-east-1"

// Origin is one running S3-compatible origin.
type Origin struct {
	name, bucket, key string

	srv    *http.Server
	url    string
	served chan struct{} // closed when Serve has returned
	closed chan struct{} // closed by Close, ends pending delays at once
	once   sync.Once

	down      atomic.Bool
	wrongBody atomic.Bool
	delay     atomic.Int64 // time.Duration
	requests  atomic.Uint64
}

// Start serves the S3 API on 127.0.0.1 at a free port, with bucket holding
// body under key. name identifies the origin in the X-Switchyard-Origin
// header of every response, so a timeline can show who answered.
func Start(name, bucket, key string, body []byte) (*Origin, error) {
	if err := gofakes3.ValidateBucketName(bucket); err != nil {
		return nil, fmt.Errorf("origins: start %s: bucket %q: %w", name, bucket, err)
	}
	if key == "" {
		return nil, fmt.Errorf("origins: start %s: key is empty, want the canary object's key", name)
	}
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		return nil, fmt.Errorf("origins: start %s: create bucket %s: %w", name, bucket, err)
	}
	meta := map[string]string{"Content-Type": http.DetectContentType(body)}
	if _, err := backend.PutObject(bucket, key, meta, bytes.NewReader(body), int64(len(body)), nil); err != nil {
		return nil, fmt.Errorf("origins: start %s: put %s/%s: %w", name, bucket, key, err)
	}
	// No skew limit: the local world may drive probes from a fake clock, and
	// a skew error would read as an outage that is not being played.
	s3 := gofakes3.New(backend, gofakes3.WithTimeSkewLimit(0))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("origins: start %s: listen: %w", name, err)
	}
	o := &Origin{
		name:   name,
		bucket: bucket,
		key:    key,
		url:    "http://" + ln.Addr().String(),
		served: make(chan struct{}),
		closed: make(chan struct{}),
	}
	o.srv = &http.Server{Handler: o.wrap(s3.Server()), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(o.served)
		// Serve returns ErrServerClosed after Close; any other accept error
		// stops the origin, which its users then see as connection refused.
		_ = o.srv.Serve(ln)
	}()
	return o, nil
}

// Name is the name given to Start.
func (o *Origin) Name() string { return o.name }

// URL is the base URL of the S3 endpoint, e.g. http://127.0.0.1:PORT.
func (o *Origin) URL() string { return o.url }

// CheckURL is the canary as an s3:// check, the form SWITCHYARD_*_CHECK takes:
// s3://bucket/key?endpoint=<URL, query-escaped>&region=us-east-1.
func (o *Origin) CheckURL() string {
	u := url.URL{
		Scheme:   "s3",
		Host:     o.bucket,
		Path:     "/" + o.key,
		RawQuery: url.Values{"endpoint": {o.url}, "region": {Region}}.Encode(),
	}
	return u.String()
}

// HTTPURL is a plain path-style GET URL of the canary. It works without
// credentials because gofakes3 serves anonymous requests.
func (o *Origin) HTTPURL() string {
	u, _ := url.Parse(o.url) // built by Start, always valid
	u.Path = "/" + o.bucket + "/" + o.key
	return u.String()
}

// SetDown makes every request fail with 503 ServiceUnavailable (true) or be
// served again (false).
func (o *Origin) SetDown(down bool) { o.down.Store(down) }

// SetWrongBody makes every object read answer 200 with the wrong bytes
// (WrongBody, a maintenance page) instead of the object (true), or serves
// the objects again (false). A check with an expected SHA-256 or substring
// must see it as a failure.
func (o *Origin) SetWrongBody(wrong bool) { o.wrongBody.Store(wrong) }

// SetDelay delays every request by d before it is served (0: no delay).
func (o *Origin) SetDelay(d time.Duration) { o.delay.Store(int64(d)) }

// Requests counts every request received, served or not.
func (o *Origin) Requests() uint64 { return o.requests.Load() }

// Close stops the server at once, dropping open connections and ending
// pending delays, and returns when it no longer accepts connections.
func (o *Origin) Close() {
	o.once.Do(func() {
		o.srv.Close() // closes the listener and every connection
		close(o.closed)
		<-o.served
	})
}
