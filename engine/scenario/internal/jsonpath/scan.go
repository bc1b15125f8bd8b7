package jsonpath

import "bytes"

// A minimal JSON scanner for Path: it finds where values start and
// end without decoding them, so matching a path allocates nothing.
// Malformed JSON stops the scan (nothing more matches); it never panics.

// span is a value's bounds in the document, [start, end).
type span struct{ start, end int }

// maxNesting bounds the depth of a skipped value, as encoding/json does.
const maxNesting = 10000

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// valueAt returns the span of the value starting at b[i].
func valueAt(b []byte, i int) (span, bool) {
	if i >= len(b) {
		return span{}, false
	}
	switch c := b[i]; {
	case c == '"':
		end, ok := stringEnd(b, i)
		return span{i, end}, ok
	case c == '{' || c == '[':
		end, ok := containerEnd(b, i)
		return span{i, end}, ok
	case c == '-' || c >= '0' && c <= '9' || c == 't' || c == 'f' || c == 'n':
		j := i
		for j < len(b) && isLiteralByte(b[j]) {
			j++
		}
		return span{i, j}, true
	}
	return span{}, false
}

func isLiteralByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '-' || c == '+' || c == '.' || c == 'E'
}

// stringEnd returns the index after the string starting at b[i] ('"').
// It jumps from quote to quote (bytes.IndexByte is vectorized); a quote
// preceded by an odd number of backslashes is escaped.
func stringEnd(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); {
		q := bytes.IndexByte(b[j:], '"')
		if q < 0 {
			break
		}
		j += q
		n := 0
		for k := j - 1; k > i && b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return j + 1, true
		}
		j++
	}
	return len(b), false
}

// containerEnd returns the index after the object or array at b[i].
func containerEnd(b []byte, i int) (int, bool) {
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '"':
			end, ok := stringEnd(b, j)
			if !ok {
				return len(b), false
			}
			j = end - 1
		case '{', '[':
			if depth++; depth > maxNesting {
				return len(b), false
			}
		case '}', ']':
			if depth--; depth == 0 {
				return j + 1, true
			}
		}
	}
	return len(b), false
}

// iter walks the members of an object (key, then the value at i) or the
// elements of an array (the value at i), starting just after the '{' or
// '['. The caller moves i past each value before calling next again.
type iter struct {
	data    []byte
	i       int
	close   byte
	key     span
	started bool
	done    bool
	ok      bool // the container closed properly
}

// next advances to the next member or element; false at the end or on
// malformed input.
func (it *iter) next() bool {
	if it.done {
		return false
	}
	b := it.data
	i := skipWS(b, it.i)
	switch {
	case i < len(b) && b[i] == it.close:
		it.i, it.done, it.ok = i, true, true
		return false
	case it.started && i < len(b) && b[i] == ',':
		i = skipWS(b, i+1)
	case it.started:
		return it.stop()
	}
	it.started = true
	if it.close == '}' {
		if i >= len(b) || b[i] != '"' {
			return it.stop()
		}
		end, ok := stringEnd(b, i)
		if !ok {
			return it.stop()
		}
		it.key = span{i, end}
		i = skipWS(b, end)
		if i >= len(b) || b[i] != ':' {
			return it.stop()
		}
		i = skipWS(b, i+1)
	}
	if i >= len(b) {
		return it.stop()
	}
	it.i = i
	return true
}

func (it *iter) stop() bool {
	it.done = true
	return false
}
