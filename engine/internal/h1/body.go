package h1

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// readBody reads the body framed by fr into r.
func readBody(br *bufio.Reader, fr framing, maxBody int, r *Response) error {
	switch {
	case fr.chunked:
		return readChunked(br, maxBody, r)
	case fr.length >= 0:
		return readN(br, fr.length, maxBody, r)
	default:
		r.Close = true
		return readToEOF(br, maxBody, r)
	}
}

// keep appends up to the room left under maxBody of p to r.Body.
func keep(r *Response, p []byte, maxBody int) {
	r.Bytes += int64(len(p))
	if room := maxBody - len(r.Body); room < len(p) {
		r.Truncated = true
		p = p[:max(room, 0)]
	}
	r.Body = append(r.Body, p...)
}

// readN reads exactly n body bytes.
func readN(br *bufio.Reader, n int64, maxBody int, r *Response) error {
	if n <= int64(maxBody) {
		// The common case: read straight into the body buffer.
		need := int(n)
		if cap(r.Body) < need {
			r.Body = make([]byte, 0, need)
		}
		r.Body = r.Body[:need]
		got, err := io.ReadFull(br, r.Body)
		r.Body, r.Bytes = r.Body[:got], int64(got)
		return unexpected(err)
	}
	return readSpan(br, n, maxBody, r)
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func readToEOF(br *bufio.Reader, maxBody int, r *Response) error {
	for {
		p, err := br.Peek(br.Size())
		if len(p) > 0 {
			keep(r, p, maxBody)
			_, _ = br.Discard(len(p))
		}
		if err == io.EOF {
			return nil
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

// readChunked decodes a chunked body and skips its trailers.
func readChunked(br *bufio.Reader, maxBody int, r *Response) error {
	for {
		line, err := r.readLine(br, maxChunkLine)
		if err != nil {
			return chunkErr(err)
		}
		size, ok := parseChunkSize(line)
		if !ok {
			return protoErr("bad chunk size line %.40q", line)
		}
		if size == 0 {
			return skipTrailers(br, r)
		}
		if err := readSpan(br, size, maxBody, r); err != nil {
			return err
		}
		crlf, err := r.readLine(br, 2)
		if err != nil {
			return chunkErr(err)
		}
		if !bytes.Equal(crlf, []byte("\r\n")) && !bytes.Equal(crlf, []byte("\n")) {
			return protoErr("chunk not followed by CRLF")
		}
	}
}

// readSpan reads n body bytes, keeping what fits under maxBody.
func readSpan(br *bufio.Reader, n int64, maxBody int, r *Response) error {
	for n > 0 {
		p, err := br.Peek(int(min(n, int64(br.Size()))))
		if len(p) > 0 {
			keep(r, p, maxBody)
			_, _ = br.Discard(len(p))
			n -= int64(len(p))
		}
		if n > 0 && err != nil {
			return unexpected(err)
		}
	}
	return nil
}

func skipTrailers(br *bufio.Reader, r *Response) error {
	for total := 0; ; {
		line, err := r.readLine(br, MaxHeaderBytes-total)
		if err != nil {
			return chunkErr(err)
		}
		if total += len(line); total > MaxHeaderBytes {
			return protoErr("trailers exceed %d bytes", MaxHeaderBytes)
		}
		if len(line) == 1 || (len(line) == 2 && line[0] == '\r') {
			return nil
		}
	}
}

func chunkErr(err error) error { return unexpected(err) }

// parseChunkSize parses "1a2b[;ext]\r\n".
func parseChunkSize(line []byte) (int64, bool) {
	line = bytes.TrimRight(line, "\r\n")
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimRight(line, " \t")
	if len(line) == 0 || len(line) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range line {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		n = n<<4 | int64(c)
	}
	return n, true
}
