package h1

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

func read(t *testing.T, raw string, head bool, maxBody int) (*Response, error, *bufio.Reader) {
	t.Helper()
	br := bufio.NewReaderSize(strings.NewReader(raw), 16)
	var r Response
	err := ReadResponse(br, head, maxBody, &r)
	return &r, err, br
}

func TestReadResponse(t *testing.T) {
	for _, c := range []struct {
		name, raw  string
		head       bool
		status     int
		body       string
		bytes      int64
		close      bool
		truncated  bool
		setCookie  bool
		headerWant string
	}{
		{name: "content-length", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello", status: 200, body: "hello", bytes: 5, headerWant: "Content-Length: 5\r\nX-A: b\r\n"},
		{name: "no reason", raw: "HTTP/1.1 204\r\n\r\n", status: 204},
		{name: "chunked", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n", status: 200, body: "hello world", bytes: 11},
		{name: "until close", raw: "HTTP/1.1 200 OK\r\n\r\nstream until EOF", status: 200, body: "stream until EOF", bytes: 16, close: true},
		{name: "http/1.0 closes", raw: "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", status: 200, body: "ok", bytes: 2, close: true},
		{name: "http/1.0 keep-alive", raw: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", status: 200, body: "ok", bytes: 2},
		{name: "connection close", raw: "HTTP/1.1 503 Service Unavailable\r\nConnection: Keep-Alive, close\r\nContent-Length: 0\r\n\r\n", status: 503, close: true},
		{name: "head has no body", raw: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", head: true, status: 200},
		{name: "304 has no body", raw: "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n", status: 304},
		{name: "100 continue skipped", raw: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx", status: 201, body: "x", bytes: 1},
		{name: "truncated", raw: "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n0123456789012345678901234567890123456789", status: 200, body: "0123456789", bytes: 40, truncated: true},
		{name: "truncated chunked", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n14\r\n01234567890123456789\r\n0\r\n\r\n", status: 200, body: "0123456789", bytes: 20, truncated: true},
		{name: "set-cookie", raw: "HTTP/1.1 200 OK\r\nset-cookie: a=b\r\nContent-Length: 0\r\n\r\n", status: 200, setCookie: true, headerWant: "set-cookie: a=b\r\nContent-Length: 0\r\n"},
		{name: "bare LF", raw: "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", status: 200, body: "ok", bytes: 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			maxBody := 100
			if c.truncated {
				maxBody = 10
			}
			r, err, br := read(t, c.raw, c.head, maxBody)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != c.status || string(r.Body) != c.body || r.Bytes != c.bytes || r.Close != c.close ||
				r.Truncated != c.truncated || r.SetCookie != c.setCookie {
				t.Fatalf("got status %d body %q bytes %d close %v truncated %v cookie %v", r.Status, r.Body, r.Bytes, r.Close, r.Truncated, r.SetCookie)
			}
			if c.headerWant != "" && string(r.Head) != c.headerWant {
				t.Fatalf("head %q, want %q", r.Head, c.headerWant)
			}
			if !c.close && !c.head && c.status != 304 && br.Buffered() != 0 {
				t.Fatalf("%d bytes left unread", br.Buffered())
			}
		})
	}
}

func TestReadResponseErrors(t *testing.T) {
	for _, c := range []struct {
		name, raw string
		want      error
	}{
		{"closed before a byte", "", io.EOF},
		{"cut in the status line", "HTTP/1.1 20", io.ErrUnexpectedEOF},
		{"cut in the body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", io.ErrUnexpectedEOF},
		{"cut in a chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", io.ErrUnexpectedEOF},
		{"not http", "SSH-2.0-OpenSSH\r\n\r\n", ErrProtocol},
		{"bad status", "HTTP/1.1 2x0 OK\r\n\r\n", ErrProtocol},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", ErrProtocol},
		{"two lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", ErrProtocol},
		{"gzip encoding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", ErrProtocol},
		{"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ErrProtocol},
		{"chunk without CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naXX0\r\n\r\n", ErrProtocol},
		{"header without colon", "HTTP/1.1 200 OK\r\nbroken\r\n\r\n", ErrProtocol},
		{"switching protocols", "HTTP/1.1 101 Switching Protocols\r\n\r\n", ErrProtocol},
		{"huge headers", "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-A: "+strings.Repeat("b", 1000)+"\r\n", 70) + "\r\n", ErrProtocol},
	} {
		t.Run(c.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(c.raw), 4096)
			var r Response
			if err := ReadResponse(br, false, 1<<20, &r); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

// ReadResponse never panics and never keeps more than maxBody, whatever
// the bytes; what it accepts is self-consistent.
func FuzzReadResponse(f *testing.F) {
	f.Add("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false)
	f.Add("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", false)
	f.Add("HTTP/1.0 404 Not Found\r\nConnection: keep-alive\r\n\r\nbody", true)
	f.Add("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", false)
	f.Fuzz(func(t *testing.T, raw string, head bool) {
		br := bufio.NewReaderSize(strings.NewReader(raw), 64)
		var r Response
		err := ReadResponse(br, head, 32, &r)
		if err != nil {
			return
		}
		if r.Status < 100 || r.Status > 999 || len(r.Body) > 32 || int64(len(r.Body)) > r.Bytes ||
			r.Truncated != (r.Bytes > int64(len(r.Body))) || len(r.Head) > MaxHeaderBytes {
			t.Fatalf("inconsistent response: status %d body %d bytes %d truncated %v", r.Status, len(r.Body), r.Bytes, r.Truncated)
		}
	})
}
