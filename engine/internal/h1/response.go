package h1

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Limits on what a response may hold.
const (
	MaxHeaderBytes = 64 << 10 // status line and headers together
	maxChunkLine   = 4 << 10
)

// ErrProtocol reports a malformed response.
var ErrProtocol = errors.New("h1: malformed response")

// Response is a parsed response. Its slices are reused by the next
// ReadResponse into the same Response.
type Response struct {
	Status    int
	Head      []byte // header lines as received ("Name: value\r\n" each)
	Body      []byte // at most the maxBody given to ReadResponse
	Bytes     int64  // full body length read
	Truncated bool   // the body was longer than maxBody
	SetCookie bool   // a Set-Cookie header was present
	Close     bool   // the connection cannot be reused after this response

	line []byte // a line longer than the reader's buffer, assembled
}

// readLine returns the next line, '\n' included. Lines longer than br's
// buffer are assembled in r.line, up to limit bytes. The result is valid
// until the next read.
func (r *Response) readLine(br *bufio.Reader, limit int) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return line, err
	}
	r.line = append(r.line[:0], line...)
	for errors.Is(err, bufio.ErrBufferFull) {
		if len(r.line) > limit {
			return nil, protoErr("line longer than %d bytes", limit)
		}
		line, err = br.ReadSlice('\n')
		r.line = append(r.line, line...)
	}
	return r.line, err
}

func protoErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrProtocol}, args...)...)
}

// ReadResponse reads one response from br into r. head says the request
// was a HEAD (no body follows). Bodies are kept up to maxBody bytes; the
// rest is read and counted. Interim 1xx responses are skipped. It returns
// io.EOF only when the connection closed before the first byte.
func ReadResponse(br *bufio.Reader, head bool, maxBody int, r *Response) error {
	var fr framing
	for first := true; ; first = false {
		var err error
		if fr, err = readHead(br, r, first); err != nil {
			return err
		}
		if r.Status >= 200 || r.Status == 101 {
			break
		}
	}
	if r.Status == 101 {
		return protoErr("101 Switching Protocols is not supported")
	}
	r.Body, r.Bytes, r.Truncated = r.Body[:0], 0, false
	if head || r.Status == 204 || r.Status == 304 {
		return nil
	}
	return readBody(br, fr, maxBody, r)
}

// framing is how the body is delimited, from the headers.
type framing struct {
	chunked bool
	length  int64 // -1: until the connection closes
}

func readHead(br *bufio.Reader, r *Response, first bool) (framing, error) {
	fr := framing{length: -1}
	line, err := r.readLine(br, MaxHeaderBytes)
	if err != nil {
		if first && len(line) == 0 && err == io.EOF {
			return fr, io.EOF
		}
		return fr, headErr(err)
	}
	status, http10, err := parseStatusLine(line)
	if err != nil {
		return fr, err
	}
	r.Status, r.Head, r.SetCookie, r.Close = status, r.Head[:0], false, http10
	total := len(line)
	keepAlive := false
	for {
		line, err = r.readLine(br, MaxHeaderBytes-total)
		if err != nil {
			return fr, headErr(err)
		}
		if total += len(line); total > MaxHeaderBytes {
			return fr, protoErr("headers exceed %d bytes", MaxHeaderBytes)
		}
		if len(line) <= 2 && (len(line) == 1 || line[0] == '\r') {
			break
		}
		if err := headerLine(line, &fr, r, &keepAlive); err != nil {
			return fr, err
		}
		r.Head = append(r.Head, line...)
	}
	if keepAlive && http10 {
		r.Close = false
	}
	if fr.chunked {
		fr.length = -1 // chunked framing wins over Content-Length (RFC 9112 6.3)
	}
	return fr, nil
}

func headErr(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// parseStatusLine parses "HTTP/1.1 200 OK\r\n".
func parseStatusLine(line []byte) (status int, http10 bool, err error) {
	if len(line) < 13 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' ||
		(line[7] != '0' && line[7] != '1') {
		return 0, false, protoErr("bad status line %.40q", line)
	}
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return 0, false, protoErr("bad status code %.40q", line)
		}
		status = status*10 + int(c-'0')
	}
	if line[12] != ' ' && line[12] != '\r' && line[12] != '\n' || status < 100 {
		return 0, false, protoErr("bad status line %.40q", line)
	}
	return status, line[7] == '0', nil
}

func headerLine(line []byte, fr *framing, r *Response, keepAlive *bool) error {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return protoErr("bad header line %.40q", line)
	}
	name, value := line[:colon], bytes.TrimSpace(line[colon+1:])
	switch {
	case asciiEqualFold(name, "content-length"):
		n, ok := parseDecimal(value)
		if !ok || (fr.length >= 0 && fr.length != n) {
			return protoErr("bad Content-Length %.40q", value)
		}
		fr.length = n
	case asciiEqualFold(name, "transfer-encoding"):
		if !asciiEqualFold(value, "chunked") {
			return protoErr("unsupported Transfer-Encoding %.40q", value)
		}
		fr.chunked = true
	case asciiEqualFold(name, "connection"):
		for len(value) > 0 {
			tok, rest, _ := bytes.Cut(value, []byte{','})
			tok, value = bytes.TrimSpace(tok), rest
			if asciiEqualFold(tok, "close") {
				r.Close = true
			} else if asciiEqualFold(tok, "keep-alive") {
				*keepAlive = true
			}
		}
	case asciiEqualFold(name, "set-cookie"):
		r.SetCookie = true
	}
	return nil
}

func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func asciiEqualFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
