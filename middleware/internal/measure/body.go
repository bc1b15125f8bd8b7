// Package measure holds what the net/http and echo middleware both use to
// measure a request without allocating: its body bytes and a monotonic
// clock.
package measure

import (
	"io"
	"net/http"
)

// Body counts the bytes a handler reads from a request body whose length
// was not declared (chunked uploads). Requests with a Content-Length, and
// requests without a body, need no counting and cost no allocation.
type Body struct {
	rc io.ReadCloser
	n  int64
}

// Read implements io.Reader, counting the bytes read.
func (b *Body) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.n += int64(n)
	return n, err
}

// Close implements io.Closer.
func (b *Body) Close() error { return b.rc.Close() }

// CountBody returns the declared body length of r, or, when it is
// unknown, installs a counter on r.Body and returns it with -1.
func CountBody(r *http.Request) (*Body, int64) {
	if r.ContentLength >= 0 || r.Body == nil || r.Body == http.NoBody {
		return nil, max(r.ContentLength, 0)
	}
	b := &Body{rc: r.Body}
	r.Body = b
	return b, -1
}

// Total is the request body size to record: the declared length (b nil),
// or the bytes read so far.
func (b *Body) Total(declared int64) int64 {
	if b == nil {
		return declared
	}
	return b.n
}
