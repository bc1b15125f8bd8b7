package scenario

// A minimal JSON scanner for jsonPath: it finds where values start and
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
func stringEnd(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
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

// iter walks the members of an object (key and val) or the elements of
// an array (val), starting just after the '{' or '['.
type iter struct {
	data  []byte
	i     int
	close byte
	key   span
	val   span
	done  bool
}

// next advances to the next member or element; false at the end or on
// malformed input.
func (it *iter) next() bool {
	if it.done {
		return false
	}
	b := it.data
	i := skipWS(b, it.i)
	if i < len(b) && b[i] == it.close {
		it.done = true
		return false
	}
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
	v, ok := valueAt(b, i)
	if !ok || v.end <= v.start {
		return it.stop()
	}
	it.val = v
	i = skipWS(b, v.end)
	switch {
	case i < len(b) && b[i] == ',':
		it.i = i + 1
	case i < len(b) && b[i] == it.close:
		it.i = i
	default:
		return it.stop()
	}
	return true
}

func (it *iter) stop() bool {
	it.done = true
	return false
}
