package middleware

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"sync"
)

// responseWriter records the status and body bytes of a net/http response.
// The value handed to the handler is one of four views of it that implement
// exactly the optional interfaces the wrapped writer implements among
// http.Flusher and http.Hijacker, so `w.(http.Flusher)` answers as it would
// without the middleware. Every view has Unwrap (for
// http.NewResponseController) and io.ReaderFrom (which keeps sendfile when
// the wrapped writer has it, as net/http's own writer does).
//
// Views are single-pointer structs, so storing one in an interface does not
// allocate, and responseWriters are pooled: wrapping costs no allocation.
// Like any ResponseWriter, a view must not be used after ServeHTTP returns.
type responseWriter struct {
	w        http.ResponseWriter
	status   int   // first final status written; 0 = none yet
	written  int64 // body bytes
	hijacked bool
}

var writerPool = sync.Pool{New: func() any { return new(responseWriter) }}

// wrapWriter returns a pooled recorder for w and the view to hand on.
func wrapWriter(w http.ResponseWriter) (*responseWriter, http.ResponseWriter) {
	rw := writerPool.Get().(*responseWriter)
	*rw = responseWriter{w: w}
	_, f := w.(http.Flusher)
	_, h := w.(http.Hijacker)
	switch {
	case f && h:
		return rw, flushHijackWriter{rw}
	case f:
		return rw, flushWriter{rw}
	case h:
		return rw, hijackWriter{rw}
	}
	return rw, plainWriter{rw}
}

// release returns rw to the pool.
func (rw *responseWriter) release() {
	*rw = responseWriter{}
	writerPool.Put(rw)
}

// finalStatus is the status the client got: what was written, 101 after a
// hijack without one, and 200 when the handler wrote nothing (net/http
// then sends 200).
func (rw *responseWriter) finalStatus() int {
	switch {
	case rw.status != 0:
		return rw.status
	case rw.hijacked:
		return http.StatusSwitchingProtocols
	}
	return http.StatusOK
}

func (rw *responseWriter) Header() http.Header { return rw.w.Header() }

// WriteHeader passes code on; the first final status (not 1xx, except 101)
// is the one recorded.
func (rw *responseWriter) WriteHeader(code int) {
	if rw.status == 0 && (code < 100 || code > 199 || code == http.StatusSwitchingProtocols) {
		rw.status = code
	}
	rw.w.WriteHeader(code)
}

func (rw *responseWriter) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	n, err := rw.w.Write(b)
	rw.written += int64(n)
	return n, err
}

// ReadFrom copies src to the response, through the wrapped writer's
// ReadFrom when it has one.
func (rw *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	var n int64
	var err error
	if rf, ok := rw.w.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		n, err = io.Copy(writerOnly{rw.w}, src)
	}
	rw.written += n
	return n, err
}

// Unwrap returns the wrapped writer, for http.NewResponseController.
func (rw *responseWriter) Unwrap() http.ResponseWriter { return rw.w }

func (rw *responseWriter) flush() {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	rw.w.(http.Flusher).Flush()
}

func (rw *responseWriter) hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := rw.w.(http.Hijacker).Hijack()
	if err == nil {
		rw.hijacked = true
	}
	return conn, brw, err
}

// writerOnly hides every method but Write (so io.Copy cannot loop back
// into ReadFrom).
type writerOnly struct{ io.Writer }

type plainWriter struct{ *responseWriter }

type flushWriter struct{ *responseWriter }

func (v flushWriter) Flush() { v.flush() }

type hijackWriter struct{ *responseWriter }

func (v hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) { return v.hijack() }

type flushHijackWriter struct{ *responseWriter }

func (v flushHijackWriter) Flush() { v.flush() }

func (v flushHijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) { return v.hijack() }

// Compile-time checks of the views' interfaces.
var (
	_ interface {
		http.ResponseWriter
		io.ReaderFrom
		Unwrap() http.ResponseWriter
	} = plainWriter{}
	_ http.Flusher  = flushWriter{}
	_ http.Hijacker = hijackWriter{}
	_ interface {
		http.Flusher
		http.Hijacker
	} = flushHijackWriter{}
)
