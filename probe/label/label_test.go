package label

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
		want Set
	}{
		{"none", http.Header{}, Set{}},
		{"all", http.Header{
			HeaderRun: {"run-1"}, HeaderClass: {"AuthenticatedUser"},
			HeaderUser: {"17"}, HeaderRequest: {"/api/stories/[slug]"},
		}, Set{"run-1", "AuthenticatedUser", "17", "/api/stories/[slug]"}},
		{"too long", http.Header{HeaderRun: {strings.Repeat("a", MaxLen+1)}, HeaderUser: {"3"}}, Set{User: "3"}},
		{"max length", http.Header{HeaderRun: {strings.Repeat("a", MaxLen)}}, Set{Run: strings.Repeat("a", MaxLen)}},
		{"repeated", http.Header{HeaderClass: {"A", "B"}}, Set{}},
		{"space", http.Header{HeaderClass: {"A B"}}, Set{}},
		{"newline", http.Header{HeaderClass: {"A\nB"}}, Set{}},
		{"quote", http.Header{HeaderClass: {`A"`}}, Set{}},
		{"non-ascii", http.Header{HeaderClass: {"Ünicode"}}, Set{}},
		{"empty", http.Header{HeaderClass: {""}}, Set{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Parse(tt.h); got != tt.want {
				t.Errorf("Parse() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestContext(t *testing.T) {
	if FromContext(context.Background()) != nil {
		t.Fatal("empty context has an Info")
	}
	//lint:ignore SA1012 a nil context must be tolerated.
	if FromContext(nil) != nil { //nolint:staticcheck
		t.Fatal("nil context has an Info")
	}
	info := &Info{Set: Set{Class: "C"}, Method: "GET", Route: "/x/:id"}
	if got := FromContext(NewContext(context.Background(), info)); got != info {
		t.Fatalf("FromContext = %v, want %v", got, info)
	}
}

func TestParseAllocs(t *testing.T) {
	h := http.Header{HeaderRun: {"r"}, HeaderClass: {"c"}, HeaderUser: {"1"}, HeaderRequest: {"q"}}
	if n := testing.AllocsPerRun(100, func() { _ = Parse(h) }); n != 0 {
		t.Errorf("Parse allocates %v times, want 0", n)
	}
}

func FuzzValid(f *testing.F) {
	for _, s := range []string{"", "a", "/api/stories/[slug]", "A B", strings.Repeat("x", 200), "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := Valid(s)
		if ok && (len(s) == 0 || len(s) > MaxLen || strings.ContainsAny(s, " \t\r\n\"'\\<>")) {
			t.Fatalf("Valid(%q) = true", s)
		}
		got := Parse(http.Header{HeaderClass: {s}}).Class
		if ok != (got == s && s != "") {
			t.Fatalf("Parse disagrees with Valid for %q: got %q", s, got)
		}
	})
}
