package engine

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/soaklab/soak/engine/internal/h1"
	"github.com/soaklab/soak/probe/label"
)

// exchanger sends one user's requests: soak's own HTTP/1.1 client or
// net/http. Each user has its own, used by its tasks only, except
// shutdown, which the run calls from any goroutine to abort I/O in flight.
type exchanger interface {
	// do sends q, started at start (the deadline counts from it), and
	// reads the response into resp.
	do(ctx context.Context, q *Request, start time.Time, resp *Response) error
	shutdown()
	close()
}

// client makes the users' exchangers.
type client interface {
	newExchanger(u *User) exchanger
	name() string
	closeIdle()
}

func newClient(base *url.URL, t Transport, s settings) client {
	if base.Scheme == "https" || t.HTTP2 || t.Client == "net/http" {
		return newNetClient(base, t, s)
	}
	return &h1Client{base: base, s: s, host: base.Host}
}

// h1Client is soak's lean HTTP/1.1 client: one keep-alive connection per
// user, requests encoded into a reused buffer, responses parsed in place.
type h1Client struct {
	base *url.URL
	host string
	s    settings
}

func (c *h1Client) name() string { return "h1" }
func (c *h1Client) closeIdle()   {}

func (c *h1Client) newExchanger(u *User) exchanger {
	addr := c.base.Host
	if c.base.Port() == "" {
		addr = net.JoinHostPort(c.base.Hostname(), "80")
	}
	return &h1Exchanger{u: u, c: c, conn: &h1.Conn{Addr: addr, DialTimeout: c.s.dialTimeout, KeepAlive: c.s.keepAlive}}
}

type h1Exchanger struct {
	u    *User
	c    *h1Client
	conn *h1.Conn
	resp h1.Response
}

func (x *h1Exchanger) shutdown() { x.conn.Shutdown() }
func (x *h1Exchanger) close()    { x.conn.Close() }

func (x *h1Exchanger) do(ctx context.Context, q *Request, start time.Time, resp *Response) error {
	u := x.u
	b := x.encode(u.buf[:0], q)
	u.buf = b
	if ctx.Done() != u.r.runCtx.Done() {
		// The task brought its own context: abort this request when it ends.
		gen := x.conn.Gen()
		stop := context.AfterFunc(ctx, func() { x.conn.Interrupt(gen) })
		defer stop()
	}
	method := q.method()
	// The time since the user's previous request ended tells the client
	// whether the connection may have been closed meanwhile (h1.ExchangeIdle).
	err := x.conn.RoundTrip(u.r.runCtx, b, method == http.MethodHead, idempotent(method) && q.Body == nil,
		start.Sub(u.lastEnd), start.Add(x.c.s.timeout), x.c.s.maxBody, &x.resp)
	if errors.Is(err, h1.ErrInterrupted) || errors.Is(err, h1.ErrClosed) {
		err = context.Cause(ctx)
		if err == nil {
			err = ErrAborted
		}
	}
	if err != nil {
		return err
	}
	r := &x.resp
	resp.Status, resp.Body, resp.Bytes, resp.Truncated = r.Status, r.Body, r.Bytes, r.Truncated
	resp.header, resp.rawHead = nil, r.Head
	if r.SetCookie {
		x.storeCookies(r.Head)
	}
	return nil
}

func idempotent(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// encode appends the request's bytes to b: request line, Host, the user's
// default headers unless the request overrides them, the request's
// headers, the soak labels, cookies, and the body.
// The request was checked by User.Do (checkRequest).
func (x *h1Exchanger) encode(b []byte, q *Request) []byte {
	u := x.u
	b = append(b, q.method()...)
	b = append(b, ' ')
	if p := x.c.base.Path; p != "" && p != "/" {
		b = append(b, bytes.TrimSuffix([]byte(p), []byte("/"))...)
	}
	b = append(b, q.Path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, x.c.host...)
	b = append(b, "\r\n"...)
	for k, vs := range u.Header {
		if _, over := q.Header[k]; over {
			continue
		}
		for _, v := range vs {
			b = appendHeader(b, k, v)
		}
	}
	for k, vs := range q.Header {
		for _, v := range vs {
			b = appendHeader(b, k, v)
		}
	}
	if u.labels != nil {
		b = append(b, u.labels...)
		if name := q.name(); label.Valid(name) {
			b = label.AppendField(b, label.KeyRequest, name)
		}
		b = append(b, "\r\n"...)
	}
	if u.jar != nil {
		b = x.appendCookies(b, q.Path)
	}
	if q.Body != nil || q.method() == http.MethodPost || q.method() == http.MethodPut || q.method() == http.MethodPatch {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(len(q.Body)), 10)
		b = append(b, "\r\n"...)
	}
	if !x.c.s.keepAlive {
		b = append(b, "Connection: close\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, q.Body...)
}

func (x *h1Exchanger) reqURL(path string) *url.URL {
	ref, err := url.Parse(path)
	if err != nil {
		return x.c.base
	}
	return x.c.base.ResolveReference(ref)
}

func (x *h1Exchanger) appendCookies(b []byte, path string) []byte {
	cs := x.u.jar.Cookies(x.reqURL(path))
	if len(cs) == 0 {
		return b
	}
	b = append(b, "Cookie: "...)
	for i, c := range cs {
		if i > 0 {
			b = append(b, "; "...)
		}
		b = append(b, c.Name...)
		b = append(b, '=')
		b = append(b, c.Value...)
	}
	return append(b, "\r\n"...)
}

func (x *h1Exchanger) storeCookies(head []byte) {
	h := http.Header{}
	for _, line := range bytes.Split(head, []byte("\n")) {
		k, v, ok := bytes.Cut(line, []byte(":"))
		if ok && bytes.EqualFold(bytes.TrimSpace(k), []byte("Set-Cookie")) {
			h.Add("Set-Cookie", string(bytes.TrimSpace(v)))
		}
	}
	if cs := (&http.Response{Header: h}).Cookies(); len(cs) > 0 {
		x.u.Jar().SetCookies(x.c.base, cs)
	}
}
