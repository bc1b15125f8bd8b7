package template

import (
	"errors"
	"strings"
	"testing"
)

// render compiles text for esc in the test scope and renders it for user
// 42 of class Reader, whose variable n is "7" and word is "a b".
func render(t *testing.T, text string, esc Escaper) (string, error) {
	t.Helper()
	sc := &Scope{
		Sources: []Source{{Name: "ids", File: "ids.csv", Columns: []string{"id", "name"}}},
		Vars:    map[string]bool{"n": true, "word": true, "unset": true},
	}
	tpl, err := Compile(text, esc, sc)
	if err != nil {
		return "", err
	}
	u := testUser(42, "Reader")
	u.Vars["n"], u.Vars["word"] = "7", "a b"
	r := NewRenderer(u, rows{{{"-12", "x y"}}}, 1)
	b, err := tpl.AppendTo(nil, &r)
	return string(b), err
}

func TestPrintfAndRepeat(t *testing.T) {
	for _, tc := range []struct {
		text string
		esc  Escaper
		want string
	}{
		{`user{{printf("%04d", user.id)}}`, Raw, "user0042"},
		{`{{printf("user%04d", user.id)}}`, Raw, "user0042"},
		{`{{printf('story-%04i', n)}}`, Raw, "story-0007"},
		{`{{printf("%05d|%-4d|%4d|%d%%", ids.id, n, n, 3)}}`, Raw, "-0012|7   |   7|3%"},
		{`/s/{{printf("%4d", n)}}`, InPath, "/s/%20%20%207"},
		{`{{printf("%s and %s", word, user.class)}}`, InQuery, "a%20b%20and%20Reader"},
		{`{{printf("\"%s\"", ids.name)}}`, InJSON, `\"x y\"`},
		{`{{printf("%s-%03d", printf("%02d", n), random_int(5, 5))}}`, Raw, "07-005"},
		{`{{printf("no verbs")}}`, Raw, "no verbs"},
		{`{{repeat("ab", 3)}}`, Raw, "ababab"},
		{`{{repeat('a "q" ', 2)}}`, InJSON, `a \"q\" a \"q\" `},
		{`{{repeat("}}", 2)}}|`, Raw, "}}}}|"},
		{`{{repeat("x", 0)}}.`, Raw, "."},
		{`{{ printf ( "%d" , user.id ) }}`, Raw, "42"},
	} {
		got, err := render(t, tc.text, tc.esc)
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.text, got, err, tc.want)
		}
	}
}

func TestPrintfAndRepeatErrors(t *testing.T) {
	for text, want := range map[string]string{
		`{{printf(user.id)}}`:                   `printf's first argument is its format, a quoted string such as "user%04d"`,
		`{{printf("%d")}}`:                      `the format has 1 verb for 0 arguments`,
		`{{printf("%d", n, n)}}`:                `the format has 1 verb for 2 arguments`,
		`{{printf("%d", uuid)}}`:                `%d needs a whole number (user.id, random_int(...), a variable or a column holding one); uuid is not one`,
		`{{printf("%d", "7")}}`:                 `"7" is not one`,
		`{{printf("%x", n)}}`:                   `"%x" is not a verb printf knows`,
		`{{printf("%5s", n)}}`:                  `"%5s": a width or flag applies to %d only`,
		`{{printf("%099d", n)}}`:                `width 99 in "%099d" is above 64`,
		`{{printf("50%", n)}}`:                  `the format ends inside "%"; write %% for a percent sign`,
		`{{printf("%d", tokn)}}`:                `tokn: unknown variable`,
		`{{printf("%d", n}}`:                    `missing ")"`,
		`{{printf("%d, n)}}`:                    `"{{" is not closed by "}}"`,
		`{{printf("\q", n)}}`:                   `unknown escape \q`,
		`{{repeat("a")}}`:                       `write repeat("TEXT", COUNT): a quoted text and a whole number`,
		`{{repeat(word, 3)}}`:                   `write repeat("TEXT", COUNT)`,
		`{{repeat("a", -1)}}`:                   `count -1 is negative`,
		`{{repeat("ab", 600000)}}`:              `repeats more than 1 MiB of text in one value`,
		`{{repeat("ab", 9223372036854775807)}}`: `repeats more than 1 MiB`,
		`{{"text"}}`:                            `a literal needs no {{ }}`,
		`{{prinft("%d", n)}}`:                   `unknown function "prinft"; did you mean "printf"?`,
		`{{random_int(1, "9")}}`:                `write random_int(MIN, MAX) with two integers`,
		`{{uuid(1)}}`:                           `uuid takes no arguments`,
		`{{printf(` + strings.Repeat(`printf("%s", `, 9) + `"x"` + strings.Repeat(")", 10) + `}}`: `calls nested deeper than 8`,
	} {
		_, err := render(t, text, Raw)
		var te *Error
		if !errors.As(err, &te) || !strings.Contains(te.Msg, want) {
			t.Errorf("%s: %v; want ...%s...", text, err, want)
		}
	}
}

// A %d whose variable holds no number fails the request with an error
// that names the variable, never its value; one not set yet is the
// usual UnsetError.
func TestPrintfRenderErrors(t *testing.T) {
	_, err := render(t, `{{printf("%d", word)}}`, Raw)
	var ve *ValueError
	if !errors.As(err, &ve) || ve.Name != "word" || strings.Contains(err.Error(), "a b") {
		t.Errorf("word: %v", err)
	}
	_, err = render(t, `{{printf("%d", unset)}}`, Raw)
	var ue *UnsetError
	if !errors.As(err, &ue) || ue.Name != "unset" {
		t.Errorf("unset: %v", err)
	}
}

func TestLiteralSkipsQuotedBraces(t *testing.T) {
	if got := Literal(`/a {{repeat("}}", 2)}} b/{{x}}`); got != "/a  b/" {
		t.Errorf("Literal = %q", got)
	}
}
