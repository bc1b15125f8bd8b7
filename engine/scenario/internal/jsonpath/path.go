package jsonpath

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Path is a compiled JSON path, the subset captures and checks need:
//
//	$                  the whole body
//	$.token            a member ($.user.name: nested members)
//	$['odd key']       a member whose name is not a plain word
//	$.stories[0]       an element; [-1] is the last
//	$.stories[*].slug  every element (or member value): a capture picks
//	                   one at random, a check looks at the first
//
// Matching scans the response body in place: it allocates nothing.
type Path struct {
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

// Compile parses a JSON path; errors say where it goes wrong. Their
// text is a problem's message in a scenario, quoting the path.
func Compile(text string) (*Path, error) {
	p := &Path{text: text}
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

// String returns the path as written.
func (p *Path) String() string { return p.text }

// Wild reports whether the path can match more than one value.
func (p *Path) Wild() bool {
	for _, s := range p.segs {
		if s.kind == segWild {
			return true
		}
	}
	return false
}

// Match returns the k-th value (from 0) the path matches in data, and the
// number of matches seen (all of them when k is negative or past the
// last). The value is the raw JSON text of the match, a sub-slice of
// data. Matching reads the document once, front to back; what follows a
// malformed part of it matches nothing.
func (p *Path) Match(data []byte, k int) (v []byte, count int) {
	m := matcher{data: data, want: k}
	m.walk(skipWS(data, 0), p.segs)
	return m.found, m.count
}

// Pick returns one of the values the path matches in data, uniformly at
// random from r (reservoir sampling, in one pass), and the number of
// matches.
func (p *Path) Pick(data []byte, r *rand.Rand) (v []byte, count int) {
	m := matcher{data: data, want: -1, rand: r}
	m.walk(skipWS(data, 0), p.segs)
	return m.found, m.count
}

// matcher walks a JSON document along the path's segments.
type matcher struct {
	data        []byte
	want, count int
	rand        *rand.Rand // pick: keep each match with probability 1/count
	found       []byte
	done        bool // the wanted match is found: stop
}

// walk matches segs against the value starting at data[i] and returns
// the index just after that value; ok is false on malformed input.
func (m *matcher) walk(i int, segs []seg) (end int, ok bool) {
	data := m.data
	if len(segs) == 0 || i >= len(data) || data[i] != '{' && data[i] != '[' {
		v, ok := valueAt(data, i)
		if ok && len(segs) == 0 {
			switch {
			case m.count == m.want:
				m.found, m.done = data[v.start:v.end], true
			case m.rand != nil && m.rand.IntN(m.count+1) == 0:
				m.found = data[v.start:v.end]
			}
			m.count++
		}
		return v.end, ok
	}
	s, rest := segs[0], segs[1:]
	want := -1 // the element index an index segment wants
	if s.kind == segIndex && data[i] == '[' {
		want = s.index
		if want < 0 {
			want += m.length(i)
		}
	}
	it := iter{data: data, i: i + 1, close: ']'}
	if data[i] == '{' {
		it.close = '}'
	}
	matched := false // a key segment matches the first member of that name only
	for n := 0; it.next(); n++ {
		var hit bool
		switch s.kind {
		case segKey:
			hit = it.close == '}' && !matched && keyEquals(data[it.key.start:it.key.end], s.key)
			matched = matched || hit
		case segIndex:
			hit = it.close == ']' && n == want
		case segWild:
			hit = true
		}
		if hit {
			end, ok = m.walk(it.i, rest)
		} else {
			var v span
			v, ok = valueAt(data, it.i)
			end = v.end
		}
		if !ok || m.done {
			return end, ok
		}
		it.i = end
	}
	return it.i + 1, it.ok
}

// length counts the elements of the array at data[i].
func (m *matcher) length(i int) int {
	n := 0
	for it := (iter{data: m.data, i: i + 1, close: ']'}); it.next(); n++ {
		v, ok := valueAt(m.data, it.i)
		if !ok {
			break
		}
		it.i = v.end
	}
	return n
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

// Text returns a matched value as text: a string's contents
// (unescaped), or the raw JSON of a number, boolean, object or array.
func Text(v []byte) (string, bool) {
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
