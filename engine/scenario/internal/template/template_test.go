package template

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/soaklab/soak/engine"
)

// rows is Data over fixed rows per source, handing out the first.
type rows [][][]string

func (d rows) Row(src int, _ *engine.User) []string { return d[src][0] }

func testUser(id int, class string) *engine.User {
	return &engine.User{ID: id, Class: class, Header: http.Header{}, Vars: map[string]string{},
		Rand: rand.New(rand.NewPCG(7, uint64(id)))}
}

// FuzzTemplate compiles arbitrary templates against a scope and renders
// what compiles, in every escaping mode.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"/x/{{v}}", "{{user.id}}-{{uuid}}", "{{random_int(1, 9)}}", "{{d}} {{c.a}}", "{{", "}}", "{{ }}", "a{{v}}b{{v",
		`{{printf("u%04d-%s", c.a, d)}}`, `{{printf("%-3d|%s", v, repeat("}}", 2))}}`, `{{repeat('x\'', 3)}}`, `{{printf("%d", v)}}`} {
		f.Add(s)
	}
	sc := &Scope{
		Sources: []Source{{Name: "d"}, {Name: "c", File: "c.csv", Columns: []string{"a"}}},
		Vars:    map[string]bool{"v": true},
	}
	data := rows{{{"x"}}, {{"1"}}}
	f.Fuzz(func(t *testing.T, text string) {
		for _, esc := range []Escaper{Raw, InPath, InQuery, InJSON} {
			tpl, err := Compile(text, esc, sc)
			if err != nil {
				continue
			}
			u := testUser(1, "A")
			u.Vars["v"] = text
			r := NewRenderer(u, data, len(data))
			if _, err := tpl.AppendTo(nil, &r); err != nil {
				var ve *ValueError // %d of v: text is rarely a number
				if !errors.As(err, &ve) {
					t.Fatalf("%q: %v", text, err)
				}
			}
		}
	})
}

func TestRenderJSONStringEscapes(t *testing.T) {
	for _, in := range []string{"plain", "quote \" backslash \\", "ctl \x00\x01\x1f\x7f", "tab\tnl\nret\r",
		"utf8 é 日本 🎉", "bad \xff\xfe utf8", "sep \u2028\u2029", "<html>&"} {
		b := append([]byte{'"'}, appendJSONString(nil, in)...)
		b = append(b, '"')
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Errorf("%q: %v (%s)", in, err, b)
			continue
		}
		want := strings.ToValidUTF8(in, "\ufffd")
		if strings.Contains(in, "\xff\xfe") {
			want = strings.ReplaceAll(in, "\xff\xfe", "\ufffd\ufffd")
		}
		if got != want {
			t.Errorf("%q round-tripped to %q", in, got)
		}
	}
}
