package scenario

import (
	"strconv"
	"unicode/utf8"

	"github.com/soaklab/soak/engine"
)

// unsetError is a render error: a per-user variable read before it was
// set. Its message names the variable, never a value.
type unsetError struct{ name string }

func (e *unsetError) Error() string {
	return "{{" + e.name + "}}: variable not set yet (capture or vars: sets it)"
}

// renderer is what rendering needs: the user, the run's data, and the
// rows picked for the request being rendered, so that every column of a
// CSV source comes from one row within a request.
type renderer struct {
	u    *engine.User
	data []*runSource
	rows []int // per source: the row picked for this request, or -1
}

// reset forgets the rows picked for the previous request.
func (r *renderer) reset() {
	for i := range r.rows {
		r.rows[i] = -1
	}
}

// appendTo renders t onto b.
func (t *template) appendTo(b []byte, r *renderer) ([]byte, error) {
	if t.static {
		return append(b, t.lit...), nil
	}
	for i := range t.parts {
		p := &t.parts[i]
		switch p.kind {
		case refNone:
			b = append(b, p.lit...)
		case refVar:
			v, ok := r.u.Vars[p.name]
			if !ok {
				return b, &unsetError{p.name}
			}
			b = appendEscaped(b, v, p.esc)
		case refSource:
			b = appendEscaped(b, r.value(p.src, p.col), p.esc)
		case refUserID:
			b = strconv.AppendInt(b, int64(r.u.ID), 10)
		case refUserClass:
			b = appendEscaped(b, r.u.Class, p.esc)
		case refUUID:
			b = appendUUID(b, r.u.Rand.Uint64(), r.u.Rand.Uint64())
		case refRandInt:
			b = strconv.AppendInt(b, p.lo+r.u.Rand.Int64N(p.hi-p.lo+1), 10)
		}
	}
	return b, nil
}

// value returns column col of the row source i hands this request.
func (r *renderer) value(i, col int) string {
	if r.rows[i] < 0 {
		r.rows[i] = r.data[i].pick(r.u)
	}
	return r.data[i].src.rows[r.rows[i]][col]
}

// appendUUID appends a version 4 UUID made of hi and lo.
func appendUUID(b []byte, hi, lo uint64) []byte {
	const hex = "0123456789abcdef"
	hi = hi&^(0xf<<12) | 4<<12 // version 4
	lo = lo&^(0x3<<62) | 2<<62 // variant 10
	for i := 60; i >= 0; i -= 4 {
		if i == 28 || i == 12 {
			b = append(b, '-')
		}
		b = append(b, hex[hi>>uint(i)&0xf])
	}
	b = append(b, '-')
	for i := 60; i >= 0; i -= 4 {
		if i == 44 {
			b = append(b, '-')
		}
		b = append(b, hex[lo>>uint(i)&0xf])
	}
	return b
}

// appendEscaped appends s escaped for esc.
func appendEscaped(b []byte, s string, esc escaper) []byte {
	switch esc {
	case escPath:
		return appendURLEscaped(b, s, true)
	case escQuery:
		return appendURLEscaped(b, s, false)
	case escJSON:
		return appendJSONString(b, s)
	}
	return append(b, s...)
}

// appendURLEscaped percent-encodes everything outside RFC 3986's
// unreserved characters and sub-delims (and ':' '@'); in a path '/' is
// kept, in a query '&', '=', '+' and ';' are escaped too.
func appendURLEscaped(b []byte, s string, path bool) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b = append(b, c)
			continue
		}
		switch c {
		case '-', '.', '_', '~', '!', '$', '\'', '(', ')', '*', ',', ':', '@':
			b = append(b, c)
			continue
		case '/':
			if path {
				b = append(b, c)
				continue
			}
		case '&', '=', '+', ';':
			if path {
				b = append(b, c)
				continue
			}
		}
		b = append(b, '%', hex[c>>4], hex[c&0xf])
	}
	return b
}

// appendJSONString appends s escaped for the inside of a JSON string
// (without the quotes). Invalid UTF-8 becomes U+FFFD, as encoding/json
// does.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}
