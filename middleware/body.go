package middleware

import (
	"io"
	"net/http"
)

// countingBody counts the bytes a handler reads from a request body whose
// length was not declared (chunked uploads). Requests with a
// Content-Length, and requests without a body, need no counting and cost no
// allocation.
type countingBody struct {
	rc io.ReadCloser
	n  int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.n += int64(n)
	return n, err
}

func (b *countingBody) Close() error { return b.rc.Close() }

// countBody returns the declared body length of r, or, when it is unknown,
// installs a counter on r.Body and returns it with -1.
func countBody(r *http.Request) (*countingBody, int64) {
	if r.ContentLength >= 0 || r.Body == nil || r.Body == http.NoBody {
		return nil, max(r.ContentLength, 0)
	}
	b := &countingBody{rc: r.Body}
	r.Body = b
	return b, -1
}

// total is the request body size to record: the declared length, or the
// bytes read so far.
func (b *countingBody) total(declared int64) int64 {
	if b == nil {
		return declared
	}
	return b.n
}
