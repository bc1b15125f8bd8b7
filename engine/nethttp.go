package engine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/soaklab/soak/probe/label"
)

// netClient is net/http's client, for TLS, HTTP/2 and comparison. Users
// share one http.Transport sized to keep a connection per user.
type netClient struct {
	base *url.URL
	tr   *http.Transport
	s    settings
}

func newNetClient(base *url.URL, t Transport, s settings) *netClient {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: s.dialTimeout}).DialContext,
		TLSClientConfig:     t.TLS,
		MaxIdleConnsPerHost: 1 << 20,
		DisableKeepAlives:   !s.keepAlive,
		DisableCompression:  true,
		ForceAttemptHTTP2:   t.HTTP2,
	}
	if t.HTTP2 && base.Scheme == "http" {
		p := new(http.Protocols)
		p.SetUnencryptedHTTP2(true)
		tr.Protocols = p
	}
	return &netClient{base: base, tr: tr, s: s}
}

func (c *netClient) name() string { return "net/http" }
func (c *netClient) closeIdle()   { c.tr.CloseIdleConnections() }

func (c *netClient) newExchanger(u *User) exchanger {
	return &netExchanger{u: u, c: c, hc: &http.Client{Transport: c.tr, Timeout: c.s.timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type netExchanger struct {
	u  *User
	c  *netClient
	hc *http.Client
}

func (x *netExchanger) shutdown() {} // requests carry the run's context
func (x *netExchanger) close()    {}

func (x *netExchanger) do(ctx context.Context, q *Request, _ time.Time, resp *Response) error {
	ref, err := url.Parse(q.Path)
	if err != nil {
		return &usageError{fmt.Errorf("engine: request path %q: %w", q.Path, err)}
	}
	var body io.Reader
	if q.Body != nil {
		body = bytes.NewReader(q.Body)
	}
	req, err := http.NewRequestWithContext(ctx, q.method(), x.c.base.ResolveReference(ref).String(), body)
	if err != nil {
		return &usageError{fmt.Errorf("engine: request %s %s: %w", q.method(), q.Path, err)}
	}
	u := x.u
	for k, vs := range u.Header {
		req.Header[k] = vs
	}
	for k, vs := range q.Header {
		req.Header[k] = vs
	}
	if u.labels != nil {
		req.Header[label.Header] = []string{label.Set{Run: u.r.info.RunID, Class: u.Class, User: strconv.Itoa(u.ID), Request: q.name()}.Value()}
	}
	x.hc.Jar = u.jar
	if x.hc.Jar == nil {
		x.hc.Jar = u.Jar()
	}
	res, err := x.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	resp.Status, resp.header, resp.rawHead = res.StatusCode, res.Header, nil
	resp.Body, resp.Bytes, resp.Truncated = resp.Body[:0], 0, false
	buf := bytes.NewBuffer(resp.Body)
	n, err := io.Copy(buf, io.LimitReader(res.Body, int64(x.c.s.maxBody)))
	resp.Body, resp.Bytes = buf.Bytes(), n
	if err == nil {
		var rest int64
		rest, err = io.Copy(io.Discard, res.Body)
		resp.Bytes += rest
		resp.Truncated = rest > 0
	}
	return err
}
