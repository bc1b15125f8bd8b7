package scenario

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// jsonPath is a compiled JSON path, the subset captures and checks need:
//
//	$                  the whole body
//	$.token            a member ($.user.name: nested members)
//	$['odd key']       a member whose name is not a plain word
//	$.stories[0]       an element; [-1] is the last
//	$.stories[*].slug  every element (or member value): a capture picks
//	                   one at random, a check looks at the first
//
// Matching scans the response body in place: it allocates nothing.
type jsonPath struct {
	text string
	segs []seg
}

type segKind uint8

const (
	segKey segKind = iota
	segIndex
	segWild
)

type seg struct {
	kind  segKind
	key   string
	index int
}

// compilePath parses a JSON path; errors say where it goes wrong.
func compilePath(text string) (*jsonPath, error) {
	p := &jsonPath{text: text}
	s, ok := strings.CutPrefix(strings.TrimSpace(text), "$")
	if !ok {
		return nil, fmt.Errorf("JSON path %q must start with $ (such as $.token or $.items[0].id)", text)
	}
	for s != "" {
		switch {
		case strings.HasPrefix(s, ".*"):
			p.segs, s = append(p.segs, seg{kind: segWild}), s[2:]
		case s[0] == '.':
			end := strings.IndexAny(s[1:], ".[")
			if end < 0 {
				end = len(s) - 1
			}
			key := s[1 : 1+end]
			if key == "" {
				return nil, fmt.Errorf("JSON path %q: empty member name after \".\"", text)
			}
			p.segs, s = append(p.segs, seg{kind: segKey, key: key}), s[1+end:]
		case s[0] == '[':
			end := strings.IndexByte(s, ']')
			if q := s[1:min(2, len(s))]; q == "'" || q == "\"" {
				end = strings.Index(s[2:], q+"]")
				if end < 0 {
					return nil, fmt.Errorf("JSON path %q: quoted member name is not closed by %s]", text, q)
				}
				p.segs, s = append(p.segs, seg{kind: segKey, key: s[2 : 2+end]}), s[2+end+2:]
				continue
			}
			if end < 0 {
				return nil, fmt.Errorf("JSON path %q: \"[\" is not closed by \"]\"", text)
			}
			in := strings.TrimSpace(s[1:end])
			if in == "*" {
				p.segs = append(p.segs, seg{kind: segWild})
			} else {
				i, err := strconv.Atoi(in)
				if err != nil || i > 1<<30 || i < -(1<<30) {
					return nil, fmt.Errorf("JSON path %q: [%s] is not an index, * or a quoted name", text, in)
				}
				p.segs = append(p.segs, seg{kind: segIndex, index: i})
			}
			s = s[end+1:]
		default:
			return nil, fmt.Errorf("JSON path %q: unexpected %q; use .name, [index], [*] or ['name']", text, s[:1])
		}
		if len(p.segs) > 64 {
			return nil, fmt.Errorf("JSON path %q: more than 64 steps", text)
		}
	}
	return p, nil
}

// wild reports whether the path can match more than one value.
func (p *jsonPath) wild() bool {
	for _, s := range p.segs {
		if s.kind == segWild {
			return true
		}
	}
	return false
}

// match returns the k-th value (from 0) the path matches in data, and the
// number of matches seen (all of them when k is negative or past the
// last). The value is the raw JSON text of the match, a sub-slice of
// data. A document that is not one complete JSON value matches nothing.
func (p *jsonPath) match(data []byte, k int) (v []byte, count int) {
	m := matcher{want: k}
	v0, ok := valueAt(data, skipWS(data, 0))
	if ok {
		m.walk(data, v0, p.segs)
	}
	return m.found, m.count
}

// matcher walks a JSON document along the path's segments.
type matcher struct {
	want, count int
	found       []byte
}

// walk matches segs against the value data[v.start:v.end]; it reports
// false once the wanted match is found (stop walking).
func (m *matcher) walk(data []byte, v span, segs []seg) bool {
	if len(segs) == 0 {
		if m.count == m.want {
			m.found = data[v.start:v.end]
		}
		m.count++
		return m.want < 0 || m.count <= m.want
	}
	s, rest := segs[0], segs[1:]
	switch {
	case s.kind == segKey && data[v.start] == '{':
		it := iter{data: data, i: v.start + 1, close: '}'}
		for it.next() {
			if keyEquals(data[it.key.start:it.key.end], s.key) {
				return m.walk(data, it.val, rest)
			}
		}
	case s.kind == segIndex && data[v.start] == '[':
		want := s.index
		if want < 0 {
			n := 0
			for it := (iter{data: data, i: v.start + 1, close: ']'}); it.next(); {
				n++
			}
			want += n
		}
		it := iter{data: data, i: v.start + 1, close: ']'}
		for i := 0; it.next(); i++ {
			if i == want {
				return m.walk(data, it.val, rest)
			}
		}
	case s.kind == segWild && (data[v.start] == '[' || data[v.start] == '{'):
		close := byte(']')
		if data[v.start] == '{' {
			close = '}'
		}
		for it := (iter{data: data, i: v.start + 1, close: close}); it.next(); {
			if !m.walk(data, it.val, rest) {
				return false
			}
		}
	}
	return true
}

// keyEquals compares a raw JSON string (with its quotes) to key.
func keyEquals(raw []byte, key string) bool {
	inner := raw[1 : len(raw)-1]
	if strings.IndexByte(string(inner), '\\') < 0 {
		return string(inner) == key
	}
	var s string
	return json.Unmarshal(raw, &s) == nil && s == key
}

// jsonText returns a matched value as text: a string's contents
// (unescaped), or the raw JSON of a number, boolean, object or array.
func jsonText(v []byte) (string, bool) {
	if len(v) == 0 || v[0] != '"' {
		return string(v), len(v) > 0
	}
	inner := v[1 : len(v)-1]
	if strings.IndexByte(string(inner), '\\') < 0 {
		return string(inner), true
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}
