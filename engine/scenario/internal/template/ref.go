package template

import (
	"fmt"
	"strings"

	"github.com/soaklab/soak/engine/scenario/internal/suggest"
)

// Scope is what a template's names may refer to.
type Scope struct {
	// Sources are the scenario's data sources, in the order a Renderer's
	// Data numbers them.
	Sources []Source
	// Vars are the per-user variables of the class (captured, or set in
	// vars:).
	Vars map[string]bool
}

// Source is a data source as templates see it.
type Source struct {
	Name string // names starting with _ are inline picks, never suggested
	// File is a CSV source's file as the scenario names it; "" for a list
	// (pick:).
	File string
	// Columns are a CSV source's header; nil for a list, and for a CSV
	// file that could not be read (reported already).
	Columns []string
}

func (s *Source) column(name string) int {
	for i, c := range s.Columns {
		if c == name {
			return i
		}
	}
	return -1
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
	refString                   // a quoted string, as an argument
	refInt                      // an integer, as an argument
	refPrintf                   // printf(format, args...)
	refRepeat                   // repeat(text, count)
)

// node is a compiled expression: a reference, or a call with its
// arguments compiled in turn.
type node struct {
	kind   refKind
	name   string // variable name, for refVar and for messages
	src    int    // source index, for refSource
	col    int    // column index, for refSource
	lo, hi int64  // bounds, for refRandInt
	// lit is literal text: refNone's (escaped), refString's, and the
	// text refRepeat repeats (escaped).
	lit   string
	num   int64  // refInt's value; refRepeat's count
	verbs []verb // refPrintf's format
	args  []node // refPrintf's arguments, one per verb that takes one
}

// part is literal text (kind refNone) or one reference, escaped with esc.
type part struct {
	node
	esc Escaper
}

// compileRef compiles one expression between {{ and }}, whose results
// land where esc says.
func compileRef(text string, esc Escaper, sc *Scope) (part, error) {
	bad := func(format string, args ...any) (part, error) {
		return part{}, &Error{fmt.Sprintf("{{%s}}: %s", text, fmt.Sprintf(format, args...))}
	}
	if text == "" {
		return bad("empty expression")
	}
	p := &parser{s: text}
	e, err := p.parse(0)
	switch {
	case err != nil:
		return bad("%v", err)
	case e.call && !e.closed:
		return bad("missing \")\"")
	case p.pos < len(p.s):
		return bad("not a name (letters, digits, _ and -), a column (source.column) or a call such as random_int(1, 10)")
	case e.str != nil || e.num != nil:
		return bad("a literal needs no {{ }}: write it as text")
	}
	c := &compiler{sc: sc, esc: esc}
	n, err := c.compile(e, true)
	if err != nil {
		return bad("%v", err)
	}
	return part{node: n, esc: esc}, nil
}

// compiler compiles a parsed expression in a scope.
type compiler struct {
	sc          *Scope
	esc         Escaper
	repeatBytes int64 // what repeats write, against maxRepeatBytes
}

// compile compiles e; top is true for the whole expression, whose name
// the error's "{{...}}" already shows.
func (c *compiler) compile(e expr, top bool) (node, error) {
	switch {
	case e.str != nil:
		return node{kind: refString, lit: *e.str}, nil
	case e.num != nil:
		return node{kind: refInt, num: *e.num}, nil
	case e.call:
		return c.call(e)
	}
	n, err := c.name(e.name)
	if err != nil && !top {
		return n, fmt.Errorf("%s: %w", e.name, err)
	}
	return n, err
}

// name resolves a name: a built-in, a data source (or its column), or a
// per-user variable.
func (c *compiler) name(expr string) (node, error) {
	sc := c.sc
	switch expr {
	case "user.id":
		return node{kind: refUserID, name: expr}, nil
	case "user.class":
		return node{kind: refUserClass, name: expr}, nil
	case "uuid":
		return node{kind: refUUID, name: expr}, nil
	}
	name, col, dotted := strings.Cut(expr, ".")
	if name == "user" {
		return node{}, fmt.Errorf("unknown built-in; %s", suggest.Hint(expr, []string{"user.id", "user.class"}))
	}
	for i := range sc.Sources {
		s := &sc.Sources[i]
		if s.Name != name {
			continue
		}
		switch {
		case s.File != "" && s.Columns == nil:
			return node{kind: refSource, name: expr, src: i}, nil // unreadable file, reported already
		case s.Columns == nil && dotted:
			return node{}, fmt.Errorf("%s is a list (pick:); write {{%s}}", name, name)
		case s.Columns == nil:
			return node{kind: refSource, name: expr, src: i}, nil
		case !dotted:
			return node{}, fmt.Errorf("%s is a CSV source; name a column of %s: {{%s.COLUMN}}", name, s.File, name)
		}
		ci := s.column(col)
		if ci < 0 {
			hint := suggest.DidYouMean(col, s.Columns)
			if hint == "" {
				hint = "its header names none such" // never list the columns: the file may be anything its path names
			}
			return node{}, fmt.Errorf("no column %q in %s; %s", col, s.File, hint)
		}
		return node{kind: refSource, name: expr, src: i, col: ci}, nil
	}
	if !IsIdent(expr) {
		return node{}, fmt.Errorf("not a name (letters, digits, _ and -), a column (source.column) or a call such as random_int(1, 10)")
	}
	if sc.Vars[expr] {
		return node{kind: refVar, name: expr}, nil
	}
	known := append([]string{"user.id", "user.class"}, functions...)
	for v := range sc.Vars {
		known = append(known, v)
	}
	for _, s := range sc.Sources {
		if s.Name[0] != '_' {
			known = append(known, s.Name)
		}
	}
	hint := suggest.DidYouMean(expr, known)
	if hint == "" {
		hint = "it is neither captured nor set in vars: by this class, nor a data source"
	}
	return node{}, fmt.Errorf("unknown variable; %s", hint)
}

// functions are the template functions, for hints.
var functions = []string{"printf", "random_int", "repeat", "uuid"}

// call compiles uuid(), random_int(lo, hi), printf(format, args...) and
// repeat(text, count).
func (c *compiler) call(e expr) (node, error) {
	switch e.name {
	case "uuid":
		if len(e.args) > 0 {
			return node{}, fmt.Errorf("uuid takes no arguments")
		}
		return node{kind: refUUID, name: e.name}, nil
	case "random_int":
		if len(e.args) != 2 || e.args[0].num == nil || e.args[1].num == nil {
			return node{}, fmt.Errorf("write random_int(MIN, MAX) with two integers")
		}
		lo, hi := *e.args[0].num, *e.args[1].num
		switch {
		case lo > hi:
			return node{}, fmt.Errorf("MIN %d is above MAX %d", lo, hi)
		case hi-lo < 0 || hi-lo > 1<<53:
			return node{}, fmt.Errorf("range too wide")
		}
		return node{kind: refRandInt, name: e.name, lo: lo, hi: hi}, nil
	case "printf":
		return c.printf(e)
	case "repeat":
		if len(e.args) != 2 || e.args[0].str == nil || e.args[1].num == nil {
			return node{}, fmt.Errorf("write repeat(\"TEXT\", COUNT): a quoted text and a whole number")
		}
		text, count := *e.args[0].str, *e.args[1].num
		if count < 0 {
			return node{}, fmt.Errorf("count %d is negative", count)
		}
		if c.repeatBytes += int64(len(text)) * min(count, maxRepeatBytes+1); c.repeatBytes > maxRepeatBytes {
			return node{}, fmt.Errorf("repeats more than %d MiB of text in one value", maxRepeatBytes>>20)
		}
		return node{kind: refRepeat, name: e.name, lit: string(appendEscaped(nil, text, c.esc)), num: count}, nil
	}
	return node{}, fmt.Errorf("unknown function %q; %s", e.name, suggest.Hint(e.name, functions))
}

// IsIdent reports whether s is a name templates can use: 1-64 of
// letters, digits, '_' and '-', not starting with a digit or '-'. Data
// sources, their columns, and variables are named so.
func IsIdent(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case (c >= '0' && c <= '9' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}
