package scenario

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// A template is text with {{ expressions }}, compiled once at load time
// into literal parts and references, so that rendering a request only
// appends bytes. The expressions:
//
//	{{token}}               a per-user variable (captured, or set in vars:)
//	{{terms}}               a value of the data source "terms" (pick:)
//	{{accounts.username}}   a column of the CSV data source "accounts"
//	{{user.id}}             the user's number in the run, from 1
//	{{user.class}}          the user's class name
//	{{uuid}}                a random UUID (version 4)
//	{{random_int(1, 5000)}} a uniformly random integer in [1, 5000]
type template struct {
	text   string // the source text
	parts  []part
	static bool // no references: text is the rendering (escaped)
	lit    string
	// pend is literal text added since the last reference, not yet a
	// part: appending to a part's string would copy it every time, which
	// made compiling a large JSON body quadratic.
	pend []byte
}

// refKind is what a template reference reads.
type refKind uint8

const (
	refNone      refKind = iota // literal text only
	refVar                      // a per-user variable
	refSource                   // a data source's column
	refUserID                   // user.id
	refUserClass                // user.class
	refUUID                     // uuid
	refRandInt                  // random_int(lo, hi)
)

// escaper is how a reference's value is escaped where it lands.
type escaper uint8

const (
	escNone  escaper = iota // headers, raw bodies, check values
	escPath                 // a URL path: '/' kept, spaces and ?#% escaped
	escQuery                // a query key or value
	escJSON                 // inside a JSON string
)

// part is literal text (kind refNone) or one reference.
type part struct {
	lit    string
	kind   refKind
	name   string // variable name, for refVar and for messages
	src    int    // source index, for refSource
	col    int    // column index, for refSource
	lo, hi int64  // bounds, for refRandInt
	esc    escaper
}

// scope is what a template's names may refer to.
type scope struct {
	sources []*source
	vars    map[string]bool // per-user variables of the class
}

// errTemplate marks a compile error; its text is the problem message.
var errTemplate = errors.New("template")

// compileTemplate compiles text; references are escaped with esc.
func compileTemplate(text string, esc escaper, sc *scope) (*template, error) {
	t := &template{text: text}
	if err := t.add(text, esc, sc); err != nil {
		return nil, err
	}
	t.finish()
	return t, nil
}

// add appends the parts of text to t: literal text is escaped with esc
// as well, except escNone and escPath (written as meant).
func (t *template) add(text string, esc escaper, sc *scope) error {
	for text != "" {
		i := strings.Index(text, "{{")
		if i < 0 {
			t.addLit(escapeLit(text, esc))
			return nil
		}
		if j := strings.Index(text[:i], "}}"); j >= 0 {
			return fmt.Errorf("%w: \"}}\" without \"{{\" before it", errTemplate)
		}
		t.addLit(escapeLit(text[:i], esc))
		rest := text[i+2:]
		j := strings.Index(rest, "}}")
		if j < 0 {
			return fmt.Errorf("%w: \"{{\" is not closed by \"}}\"", errTemplate)
		}
		p, err := compileRef(strings.TrimSpace(rest[:j]), sc)
		if err != nil {
			return err
		}
		p.esc = esc
		t.flush()
		t.parts = append(t.parts, p)
		text = rest[j+2:]
	}
	return nil
}

// addLit appends raw literal text (already escaped).
func (t *template) addLit(s string) { t.pend = append(t.pend, s...) }

// flush turns the pending literal text into a part, joined to the last
// part when that is literal too.
func (t *template) flush() {
	if len(t.pend) == 0 {
		return
	}
	if n := len(t.parts); n > 0 && t.parts[n-1].kind == refNone {
		t.parts[n-1].lit += string(t.pend)
	} else {
		t.parts = append(t.parts, part{lit: string(t.pend)})
	}
	t.pend = nil
}

func (t *template) finish() {
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

// vars returns the per-user variables t reads.
func (t *template) vars() []string {
	var out []string
	for _, p := range t.parts {
		if p.kind == refVar {
			out = append(out, p.name)
		}
	}
	return out
}

// compileRef compiles one expression between {{ and }}.
func compileRef(expr string, sc *scope) (part, error) {
	bad := func(format string, args ...any) (part, error) {
		return part{}, fmt.Errorf("%w: {{%s}}: %s", errTemplate, expr, fmt.Sprintf(format, args...))
	}
	if expr == "" {
		return bad("empty expression")
	}
	if name, args, isCall := strings.Cut(expr, "("); isCall {
		return compileCall(strings.TrimSpace(name), args, bad)
	}
	switch expr {
	case "user.id":
		return part{kind: refUserID, name: expr}, nil
	case "user.class":
		return part{kind: refUserClass, name: expr}, nil
	case "uuid":
		return part{kind: refUUID, name: expr}, nil
	}
	name, col, dotted := strings.Cut(expr, ".")
	if name == "user" {
		return bad("unknown built-in; %s", didYouMean(expr, []string{"user.id", "user.class"}))
	}
	for i, s := range sc.sources {
		if s.name != name {
			continue
		}
		switch {
		case s.csvFile != "" && s.columns == nil:
			return part{kind: refSource, name: expr, src: i}, nil // unreadable file, reported already
		case s.columns == nil && dotted:
			return bad("%s is a list (pick:); write {{%s}}", name, name)
		case s.columns == nil:
			return part{kind: refSource, name: expr, src: i}, nil
		case !dotted:
			return bad("%s is a CSV source; name a column of %s: {{%s.COLUMN}}", name, s.csvFile, name)
		}
		c := s.column(col)
		if c < 0 {
			hint := "its header names none such" // never list the columns: the file may be anything its path names
			if sug := Suggest(col, s.columns); sug != "" {
				hint = "did you mean " + quote(sug) + "?"
			}
			return bad("no column %q in %s; %s", col, s.csvFile, hint)
		}
		return part{kind: refSource, name: expr, src: i, col: c}, nil
	}
	if !isIdent(expr) {
		return bad("not a name (letters, digits, _ and -), a column (source.column) or a call such as random_int(1, 10)")
	}
	if sc.vars[expr] {
		return part{kind: refVar, name: expr}, nil
	}
	known := []string{"user.id", "user.class", "uuid", "random_int"}
	for v := range sc.vars {
		known = append(known, v)
	}
	for _, s := range sc.sources {
		if s.name[0] != '_' {
			known = append(known, s.name)
		}
	}
	hint := "it is neither captured nor set in vars: by this class, nor a data source"
	if s := Suggest(expr, known); s != "" {
		hint = "did you mean " + quote(s) + "?"
	}
	return bad("unknown variable; %s", hint)
}

// compileCall compiles uuid() and random_int(lo, hi).
func compileCall(name, args string, bad func(string, ...any) (part, error)) (part, error) {
	args, closed := strings.CutSuffix(strings.TrimSpace(args), ")")
	if !closed {
		return bad("missing \")\"")
	}
	switch name {
	case "uuid":
		if strings.TrimSpace(args) != "" {
			return bad("uuid takes no arguments")
		}
		return part{kind: refUUID, name: name}, nil
	case "random_int":
		a, b, ok := strings.Cut(args, ",")
		lo, err1 := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
		hi, err2 := strconv.ParseInt(strings.TrimSpace(b), 10, 64)
		switch {
		case !ok || err1 != nil || err2 != nil:
			return bad("write random_int(MIN, MAX) with two integers")
		case lo > hi:
			return bad("MIN %d is above MAX %d", lo, hi)
		case hi-lo < 0 || hi-lo > 1<<53:
			return bad("range too wide")
		}
		return part{kind: refRandInt, name: name, lo: lo, hi: hi}, nil
	}
	return bad("unknown function %q; %s", name, didYouMean(name, []string{"random_int", "uuid"}))
}

// escapeLit escapes literal template text for where it lands. Paths and
// headers are written as meant; the engine refuses what cannot be sent.
func escapeLit(s string, esc escaper) string {
	switch esc {
	case escQuery, escJSON:
		return string(appendEscaped(nil, s, esc))
	}
	return s
}
