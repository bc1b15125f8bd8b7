package label

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	long := strings.Repeat("a", MaxLen)
	tests := []struct {
		name string
		h    http.Header
		want Set
	}{
		{"none", http.Header{}, Set{}},
		{"all", http.Header{Header: {"run=run-1;class=AuthenticatedUser;user=17;request=/api/stories/[slug]"}},
			Set{"run-1", "AuthenticatedUser", "17", "/api/stories/[slug]"}},
		{"any order, spaces around fields", http.Header{Header: {" user=3 ; run=r\t;class=C "}}, Set{Run: "r", Class: "C", User: "3"}},
		{"value with =", http.Header{Header: {"request=/search?q=a"}}, Set{}}, // ? is not a label byte
		{"value with = only", http.Header{Header: {"request=/a=b"}}, Set{Request: "/a=b"}},
		{"too long", http.Header{Header: {"run=" + long + "a;user=3"}}, Set{User: "3"}},
		{"max length", http.Header{Header: {"run=" + long}}, Set{Run: long}},
		{"repeated header", http.Header{Header: {"class=A", "class=B"}}, Set{}},
		{"repeated field", http.Header{Header: {"class=A;user=1;class=B"}}, Set{User: "1"}},
		{"repeated field, first invalid", http.Header{Header: {"class=A B;class=B"}}, Set{}},
		{"unknown key", http.Header{Header: {"shard=2;class=A"}}, Set{Class: "A"}},
		{"no =", http.Header{Header: {"class;user=2"}}, Set{User: "2"}},
		{"space", http.Header{Header: {"class=A B"}}, Set{}},
		{"newline", http.Header{Header: {"class=A\nB"}}, Set{}},
		{"quote", http.Header{Header: {`class=A"`}}, Set{}},
		{"non-ascii", http.Header{Header: {"class=Ünicode"}}, Set{}},
		{"empty value", http.Header{Header: {"class=;user=4"}}, Set{User: "4"}},
		{"empty", http.Header{Header: {""}}, Set{}},
		{"key case matters", http.Header{Header: {"Class=A"}}, Set{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Parse(tt.h); got != tt.want {
				t.Errorf("Parse() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAppendValue(t *testing.T) {
	tests := []struct {
		set  Set
		want string
	}{
		{Set{}, ""},
		{Set{Run: "r", Class: "C", User: "17", Request: "/x/[id]"}, "run=r;class=C;user=17;request=/x/[id]"},
		{Set{Class: "C", Request: "/x"}, "class=C;request=/x"},
		{Set{Run: "r", Request: "has space"}, "run=r"}, // an invalid label is left out, as Parse would drop it
	}
	for _, tt := range tests {
		if got := string(tt.set.AppendValue([]byte("x: "))); got != "x: "+tt.want {
			t.Errorf("%+v.AppendValue = %q, want %q", tt.set, got, "x: "+tt.want)
		}
		if got := tt.set.Value(); got != tt.want {
			t.Errorf("%+v.Value() = %q, want %q", tt.set, got, tt.want)
		}
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
	h := http.Header{Header: {"run=r;class=c;user=1;request=q"}}
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
		got := Parse(http.Header{Header: {KeyClass + "=" + s}}).Class
		if ok != (got == s && s != "") {
			t.Fatalf("Parse disagrees with Valid for %q: got %q", s, got)
		}
	})
}

// FuzzParseValue: any header value parses without panicking into labels
// that are Valid, and a Set's own value parses back to the Set's valid
// labels.
func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"", "run=r;class=C;user=1;request=/x", ";;;", "class=A;class=B", " user = 1 ", "=", "run=" + strings.Repeat("x", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		set := ParseValue(v)
		for _, l := range []string{set.Run, set.Class, set.User, set.Request} {
			if l != "" && !Valid(l) {
				t.Fatalf("ParseValue(%q) = %+v: %q is not Valid", v, set, l)
			}
			if l != "" && !strings.Contains(v, l) {
				t.Fatalf("ParseValue(%q) = %+v: %q is not in the value", v, set, l)
			}
		}
		if back := ParseValue(set.Value()); back != set {
			t.Fatalf("ParseValue(%q) = %+v, but its Value %q parses to %+v", v, set, set.Value(), back)
		}
	})
}

func TestCutUser(t *testing.T) {
	for _, c := range []struct {
		v, before, user, after string
		found                  bool
	}{
		{"run=r;class=C;user=17;request=/x", "run=r;class=C", "17", ";request=/x", true},
		{"user=3", "", "3", "", true},
		{"user= 3 ;class=C", "", "3", ";class=C", true},
		{"class=C;user=", "class=C", "", "", true},
		{"class=C; user=3", "", "", "", false}, // a key with a space before it is not cut
		{"request=/users;class=C", "", "", "", false},
		{"request=/a;users=2", "", "", "", false},
		{"", "", "", "", false},
	} {
		before, user, after, found := CutUser(c.v)
		if before != c.before || user != c.user || after != c.after || found != c.found {
			t.Errorf("CutUser(%q) = %q, %q, %q, %v; want %q, %q, %q, %v", c.v, before, user, after, found, c.before, c.user, c.after, c.found)
		}
	}
}

func TestHasKey(t *testing.T) {
	for _, c := range []struct {
		v    string
		want bool
	}{
		{"run=r;user=1", true},
		{"run=r; user\t=1", true},
		{"user=", true},
		{"run=r;request=/users", false},
		{"users=1;user", false},
		{"", false},
	} {
		if got := HasKey(c.v, KeyUser); got != c.want {
			t.Errorf("HasKey(%q, %q) = %v, want %v", c.v, KeyUser, got, c.want)
		}
	}
}

// FuzzCutUser: whenever CutUser finds the user field and the rest has no
// other, parsing the rest and setting the user gives what ParseValue gives
// for the whole value (the promise a cache of parsed values relies on),
// and the pieces put back together are the value.
func FuzzCutUser(f *testing.F) {
	for _, s := range []string{"run=r;class=C;user=1;request=/x", "user=1", "user=1;user=2", "user=a b;class=C", ";user=2;", " user=1;user=2", "class=A;user= 5 ;class=B", "user=x;request=/u=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		before, user, after, found := CutUser(v)
		if !found {
			return
		}
		if after != "" && after[0] != ';' {
			t.Fatalf("CutUser(%q): after %q does not start a field", v, after)
		}
		if !strings.HasPrefix(v, before) || !strings.HasSuffix(v, after) || !strings.Contains(v[len(before):len(v)-len(after)], user) {
			t.Fatalf("CutUser(%q) = %q, %q, %q: not pieces of the value", v, before, user, after)
		}
		rest := before + after
		if HasKey(rest, KeyUser) {
			return
		}
		got := ParseValue(rest)
		if got.User != "" {
			t.Fatalf("ParseValue(%q) has a user but HasKey says none", rest)
		}
		if Valid(user) {
			got.User = user
		}
		if want := ParseValue(v); got != want {
			t.Fatalf("ParseValue(%q) = %+v, but the rest %q with user %q gives %+v", v, want, rest, user, got)
		}
	})
}
