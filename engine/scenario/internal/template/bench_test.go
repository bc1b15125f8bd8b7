package template

import "testing"

// BenchmarkRender renders the templates a ported locustfile adds to a
// request: a padded number, a printf of a random int in a path, and a
// 40-times repeated paragraph in a JSON body, into a reused buffer.
func BenchmarkRender(b *testing.B) {
	sc := &Scope{Vars: map[string]bool{}}
	for _, tc := range []struct {
		name, text string
		esc        Escaper
	}{
		{"printf user%04d", `{{printf("user%04d", user.id)}}`, InJSON},
		{"printf story path", `/api/stories/{{printf("story-%04d", random_int(1, 5000))}}`, InPath},
		{"repeat 40x62B json", `{{repeat("It was a quiet night at the lighthouse when the letter came. ", 40)}}`, InJSON},
	} {
		tpl, err := Compile(tc.text, tc.esc, sc)
		if err != nil {
			b.Fatal(err)
		}
		r := NewRenderer(testUser(42, "A"), rows{}, 0)
		var buf []byte
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if buf, err = tpl.AppendTo(buf[:0], &r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
