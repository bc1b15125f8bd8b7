package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Request is one HTTP request of a task. The same Request may be sent many
// times and by many users (it is only read).
type Request struct {
	// Method is the HTTP method; empty means GET.
	Method string
	// Path is the path and query, relative to Plan.Host, e.g.
	// "/api/search/stories?q=go". It must start with "/".
	Path string
	// Name groups requests in the results, like Locust's name=: all
	// "/api/stories/<slug>" requests as "/api/stories/[slug]". Empty
	// means Path. It is sent as the request label when it is a valid label.
	Name string
	// Header holds the request's own headers; they replace the user's
	// default headers of the same key.
	Header http.Header
	// Body is the request body, sent with a Content-Length. Nil means none.
	Body []byte
	// Expect lists the statuses that count as success. Nil means any
	// status below 400. HTTP 429 not listed here counts as a rate-limit
	// hit, not a failure.
	Expect []int
	// Check, when set, inspects a response that passed Expect; an error
	// fails the request as KindCheck with the error's text as reason
	// (a 200 with the wrong body is a failure).
	Check func(*Response) error
}

func (q *Request) method() string {
	if q.Method == "" {
		return http.MethodGet
	}
	return q.Method
}

func (q *Request) name() string {
	if q.Name == "" {
		return q.Path
	}
	return q.Name
}

// Response is the response to a user's request. It and its Body are reused
// by the user's next request: copy what must outlive it.
type Response struct {
	Status    int           // HTTP status code
	Body      []byte        // body, up to Transport.MaxBodyBytes
	Bytes     int64         // full body size received
	Truncated bool          // Body holds only the first MaxBodyBytes
	Latency   time.Duration // as recorded: from the (intended) start to the last byte

	header  http.Header // net/http client
	rawHead []byte      // soak's HTTP/1.1 client: the header block, "K: V\r\n"...
}

// Header returns the first value of the response header key
// (case-insensitive), or "".
func (r *Response) Header(key string) string {
	if r.header != nil {
		return r.header.Get(key)
	}
	return rawHeaderValue(r.rawHead, key)
}

// JSON decodes the body into v.
func (r *Response) JSON(v any) error {
	if r.Truncated {
		return fmt.Errorf("engine: response body truncated at %d of %d bytes", len(r.Body), r.Bytes)
	}
	return json.Unmarshal(r.Body, v)
}

func rawHeaderValue(head []byte, key string) string {
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		k, v, ok := bytes.Cut(line, []byte{':'})
		if ok && strings.EqualFold(string(bytes.TrimSpace(k)), key) {
			return string(bytes.TrimSpace(v))
		}
	}
	return ""
}

// RequestError is the error of a failed request. It is already recorded
// in the results when a request method returns it; a task that returns it
// (or wraps it) does not record it again as an exception.
type RequestError struct {
	Method, Name string
	Kind         Kind
	Status       int    // HTTP status, 0 when no response came
	Reason       string // the aggregated message, e.g. "HTTP 503 Service Unavailable"
	Err          error  // the transport error, if any
}

func (e *RequestError) Error() string {
	return fmt.Sprintf("engine: %s %s: %s", e.Method, e.Name, e.Reason)
}

func (e *RequestError) Unwrap() error { return e.Err }

// ErrRateLimited is the Err of a RequestError for an HTTP 429 answer: it
// is recorded as a rate-limit hit, not a failure.
var ErrRateLimited = errors.New("engine: rate limited (HTTP 429)")

// ErrAborted is returned by request methods when the run is ending or was
// cancelled: the request was not recorded (it counts in Stat.Aborted).
var ErrAborted = errors.New("engine: run stopping, request aborted")

// Get sends a GET request for path, grouped under name ("" means path).
func (u *User) Get(ctx context.Context, path, name string) (*Response, error) {
	return u.Do(ctx, &Request{Path: path, Name: name})
}

// Post sends a POST request with body and its Content-Type.
func (u *User) Post(ctx context.Context, path, name, contentType string, body []byte) (*Response, error) {
	return u.Do(ctx, &Request{Method: http.MethodPost, Path: path, Name: name,
		Header: http.Header{"Content-Type": {contentType}}, Body: body})
}

// PostJSON sends a POST request with v encoded as JSON.
func (u *User) PostJSON(ctx context.Context, path, name string, v any) (*Response, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("engine: POST %s: encoding body: %w", path, err)
	}
	return u.Post(ctx, path, name, "application/json", b)
}

// BodyContains is a Check that fails a response whose body lacks s.
func BodyContains(s string) func(*Response) error {
	return func(r *Response) error {
		if !bytes.Contains(r.Body, []byte(s)) {
			return fmt.Errorf("body lacks %q", s)
		}
		return nil
	}
}

// ValidJSON is a Check that fails a response whose body is not valid JSON.
func ValidJSON(r *Response) error {
	if r.Truncated || !json.Valid(r.Body) {
		return errors.New("body is not valid JSON")
	}
	return nil
}

// checkRequest refuses requests that cannot be sent as written.
func checkRequest(q *Request) error {
	if !strings.HasPrefix(q.Path, "/") {
		return fmt.Errorf("engine: request path %q must start with \"/\"", q.Path)
	}
	if m := q.method(); !validToken(m) {
		return fmt.Errorf("engine: request method %q is not an HTTP token", m)
	}
	if strings.ContainsAny(q.Path, " \r\n") {
		return fmt.Errorf("engine: request path %q contains a space or line break", q.Path)
	}
	return checkHeader(q.Header, "request")
}

func checkHeader(h http.Header, where string) error {
	for k, vs := range h {
		if !validToken(k) {
			return fmt.Errorf("engine: %s header name %q is not an HTTP token", where, k)
		}
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				return fmt.Errorf("engine: %s header %s holds a line break or NUL", where, k)
			}
		}
	}
	return nil
}

func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}
