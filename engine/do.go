package engine

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
	"os"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/soaklab/soak/engine/internal/h1"
)

// Do sends q on the user's connection and records it under (method, name):
// latency, status, body bytes, and the failure kind and reason when it
// failed. It returns the response (reused by the user's next request) and,
// for a failed request, a *RequestError (already recorded). A 429 returns
// the response and a RequestError wrapping ErrRateLimited.
//
// When the run is ending the request is aborted, counted in Stat.Aborted
// only, and Do returns ErrAborted. A request that cannot be sent as
// written (a path without "/", a header with a line break) is not recorded
// and returns a plain error, which the task should return.
func (u *User) Do(ctx context.Context, q *Request) (*Response, error) {
	if err := checkRequest(q); err != nil {
		return nil, err
	}
	r := u.r
	if r.limiter != nil {
		r.limiter.Take() // the global MaxRPS cap; returns early when the run is cancelled
	}
	k := statKey{q.method(), q.name()}
	if r.runCtx.Err() != nil {
		u.shard.abort(k)
		return nil, ErrAborted
	}
	now := time.Now()
	start := u.intended // the open model's intended start, for the first request of an arrival
	u.intended = time.Time{}
	if start.IsZero() {
		start = now
	}
	err := u.conn.do(ctx, q, now, &u.resp)
	end := time.Now()
	u.lastEnd = end
	if err != nil && r.runCtx.Err() != nil {
		u.shard.abort(k)
		return nil, ErrAborted
	}
	resp := &u.resp
	resp.Latency = end.Sub(start)
	o := outcome{us: int64(resp.Latency / time.Microsecond), bytes: resp.Bytes}
	var rerr *RequestError
	if err != nil {
		if isUsage(err) {
			return nil, err
		}
		o.bytes = 0
		rerr = transportError(q, err, r.set.timeout)
	} else {
		rerr = statusError(q, resp)
	}
	if rerr != nil {
		o.kind, o.failed, o.limited = rerr.Kind, rerr.Err != ErrRateLimited, rerr.Err == ErrRateLimited
		rerr.Method, rerr.Name = k.method, k.name
	}
	rk := u.shard.record(k, o)
	if rerr == nil {
		return resp, nil
	}
	if o.failed {
		u.shard.errorSeen(errKey{method: rk.method, name: rk.name, msg: rerr.Reason}, rerr.Kind, end, r.set.maxErrors)
	}
	if err != nil {
		return nil, rerr
	}
	return resp, rerr
}

// usageError marks a request that could not be built; it is the task's
// bug, not the service's.
func isUsage(err error) bool {
	var ue *usageError
	return errors.As(err, &ue)
}

type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// statusError judges a response: nil for success.
func statusError(q *Request, resp *Response) *RequestError {
	st := resp.Status
	ok := st < 400
	if q.Expect != nil {
		ok = slices.Contains(q.Expect, st)
	}
	if !ok {
		e := &RequestError{Status: st, Reason: statusReason(st)}
		switch {
		case st == http.StatusTooManyRequests:
			e.Err = ErrRateLimited
		case st >= 400 && st < 500:
			e.Kind = KindStatus4xx
		case st >= 500 && st < 600:
			e.Kind = KindStatus5xx
		default:
			e.Kind = KindStatusOther
			e.Reason = fmt.Sprintf("unexpected status %d (expected %v)", st, q.Expect)
		}
		return e
	}
	if q.Check != nil {
		if err := q.Check(resp); err != nil {
			return &RequestError{Status: st, Kind: KindCheck, Reason: "check failed: " + err.Error(), Err: err}
		}
	}
	return nil
}

func statusReason(st int) string {
	if t := http.StatusText(st); t != "" {
		return "HTTP " + strconv.Itoa(st) + " " + t
	}
	return "HTTP " + strconv.Itoa(st)
}

// transportError classifies a request that got no usable response. Its
// Reason is canonical (no addresses or ports), so errors aggregate.
func transportError(q *Request, err error, timeout time.Duration) *RequestError {
	e := &RequestError{Err: err}
	var tlsRec tls.RecordHeaderError
	var tlsAlert tls.AlertError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || isTimeout(err):
		e.Kind, e.Reason = KindTimeout, "timeout after "+timeout.String()
		if errors.Is(err, context.DeadlineExceeded) {
			e.Reason = "timeout (task context deadline)"
		}
	case errors.Is(err, context.Canceled):
		e.Kind, e.Reason = KindCanceled, "canceled by the task's context"
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Kind, e.Reason = KindRefused, "connection refused"
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED):
		e.Kind, e.Reason = KindReset, "connection reset"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		e.Kind, e.Reason = KindEOF, "connection closed before a full response (EOF)"
	case errors.As(err, &tlsRec) || errors.As(err, &tlsAlert) || errors.As(err, &certErr) ||
		errors.As(err, &unknownAuth) || errors.As(err, &hostErr):
		e.Kind, e.Reason = KindTLS, "TLS: "+tlsReason(err)
	case errors.Is(err, h1.ErrProtocol):
		e.Kind, e.Reason = KindProtocol, err.Error()
	case errors.As(err, &dnsErr):
		e.Kind, e.Reason = KindOther, "DNS: "+dnsErr.Err
	default:
		e.Kind, e.Reason = KindOther, otherReason(err)
	}
	return e
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func tlsReason(err error) string {
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		return "certificate verification failed"
	}
	var alert tls.AlertError
	if errors.As(err, &alert) {
		return alert.Error()
	}
	return "handshake failed"
}

// otherReason strips the URL and addresses from an unclassified error, so
// that neither secrets in a query nor ephemeral ports reach the results.
func otherReason(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Op + ": " + op.Err.Error()
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		err = ue.Err
	}
	s := err.Error()
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
