package template

import "unicode/utf8"

// Escaper is how text is escaped where it lands.
type Escaper uint8

const (
	Raw     Escaper = iota // headers, raw bodies, check values: as is
	InPath                 // a URL path: '/' kept, spaces and ?#% escaped
	InQuery                // a query key or value
	InJSON                 // inside a JSON string (without the quotes)
)

// appendEscaped appends s escaped for esc.
func appendEscaped(b []byte, s string, esc Escaper) []byte {
	switch esc {
	case InPath:
		return appendURLEscaped(b, s, true)
	case InQuery:
		return appendURLEscaped(b, s, false)
	case InJSON:
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
