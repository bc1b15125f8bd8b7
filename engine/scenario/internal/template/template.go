package template

import "strings"

// A Template is text with {{ expressions }}, compiled once into literal
// parts and references, so that rendering a request only appends bytes.
// The expressions:
//
//	{{token}}               a per-user variable (captured, or set in vars:)
//	{{terms}}               a value of the data source "terms" (pick:)
//	{{accounts.username}}   a column of the CSV data source "accounts"
//	{{user.id}}             the user's number in the run, from 1
//	{{user.class}}          the user's class name
//	{{uuid}}                a random UUID (version 4)
//	{{random_int(1, 5000)}} a uniformly random integer in [1, 5000]
//	{{printf("user%04d", user.id)}}  formatted text: %d (%i) with a 0 or
//	                        - flag and a width, %s, %%
//	{{repeat("lorem ", 40)}} the quoted text, 40 times
//
// A call's arguments are quoted strings ("..." or '...', with \\, \",
// \', \n and \t escapes), integers, names and calls.
//
// Build one with [Compile], or with [New], [Template.Add],
// [Template.AddLit] and [Template.Finish] when it is made of several
// pieces (a path and its query, a JSON body).
type Template struct {
	parts  []part
	static bool // no references: lit is the rendering (escaped)
	lit    string
	// pend is literal text added since the last reference, not yet a
	// part: appending to a part's string would copy it every time, which
	// made compiling a large JSON body quadratic.
	pend []byte
}

// Error is a template that does not compile. Msg names the expression
// ("{{tokn}}: unknown variable; did you mean \"token\"?"); a scenario
// reports it as a problem of the field that holds the template.
type Error struct{ Msg string }

func (e *Error) Error() string { return "template: " + e.Msg }

// Compile compiles text; references are escaped with esc, and so is the
// literal text (except for Raw and InPath, written as meant).
func Compile(text string, esc Escaper, sc *Scope) (*Template, error) {
	t := New()
	if err := t.Add(text, esc, sc); err != nil {
		return nil, err
	}
	t.Finish()
	return t, nil
}

// New returns an empty template to build with Add and AddLit; Finish
// makes it ready to render.
func New() *Template { return &Template{} }

// Add appends the parts of text to t: literal text is escaped with esc
// as well, except Raw and InPath (written as meant).
func (t *Template) Add(text string, esc Escaper, sc *Scope) error {
	for text != "" {
		i := strings.Index(text, "{{")
		if i < 0 {
			t.AddLit(text, esc)
			return nil
		}
		if j := strings.Index(text[:i], "}}"); j >= 0 {
			return &Error{"\"}}\" without \"{{\" before it"}
		}
		t.AddLit(text[:i], esc)
		rest := text[i+2:]
		j := exprEnd(rest)
		if j < 0 {
			return &Error{"\"{{\" is not closed by \"}}\""}
		}
		p, err := compileRef(strings.TrimSpace(rest[:j]), esc, sc)
		if err != nil {
			return err
		}
		t.flush()
		t.parts = append(t.parts, p)
		text = rest[j+2:]
	}
	return nil
}

// AddLit appends literal text, escaped for esc (Raw and InPath: as is).
func (t *Template) AddLit(s string, esc Escaper) {
	switch esc {
	case InQuery, InJSON:
		t.pend = appendEscaped(t.pend, s, esc)
	default:
		t.pend = append(t.pend, s...)
	}
}

// flush turns the pending literal text into a part, joined to the last
// part when that is literal too.
func (t *Template) flush() {
	if len(t.pend) == 0 {
		return
	}
	if n := len(t.parts); n > 0 && t.parts[n-1].kind == refNone {
		t.parts[n-1].lit += string(t.pend)
	} else {
		t.parts = append(t.parts, part{node: node{lit: string(t.pend)}})
	}
	t.pend = nil
}

// Finish ends the building of t: it may be rendered from now on, and no
// more added.
func (t *Template) Finish() {
	t.flush()
	t.static = true
	for _, p := range t.parts {
		if p.kind != refNone {
			t.static = false
		}
	}
	if t.static {
		for _, p := range t.parts {
			t.lit += p.lit
		}
	}
}

// Static returns the rendering of a template without references, which
// is the same for every request, and true; or "" and false.
func (t *Template) Static() (string, bool) { return t.lit, t.static }

// Literal returns text without its {{...}} expressions: the text a
// template of it writes as meant.
func Literal(text string) string {
	var b strings.Builder
	for {
		i := strings.Index(text, "{{")
		if i < 0 {
			return b.String() + text
		}
		b.WriteString(text[:i])
		j := exprEnd(text[i+2:])
		if j < 0 {
			return b.String()
		}
		text = text[i+2+j+2:]
	}
}
