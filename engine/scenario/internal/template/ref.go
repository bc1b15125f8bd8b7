package template

import (
	"fmt"
	"strconv"
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
)

// part is literal text (kind refNone) or one reference.
type part struct {
	lit    string
	kind   refKind
	name   string // variable name, for refVar and for messages
	src    int    // source index, for refSource
	col    int    // column index, for refSource
	lo, hi int64  // bounds, for refRandInt
	esc    Escaper
}

// compileRef compiles one expression between {{ and }}.
func compileRef(expr string, sc *Scope) (part, error) {
	bad := func(format string, args ...any) (part, error) {
		return part{}, &Error{fmt.Sprintf("{{%s}}: %s", expr, fmt.Sprintf(format, args...))}
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
		return bad("unknown built-in; %s", suggest.Hint(expr, []string{"user.id", "user.class"}))
	}
	for i := range sc.Sources {
		s := &sc.Sources[i]
		if s.Name != name {
			continue
		}
		switch {
		case s.File != "" && s.Columns == nil:
			return part{kind: refSource, name: expr, src: i}, nil // unreadable file, reported already
		case s.Columns == nil && dotted:
			return bad("%s is a list (pick:); write {{%s}}", name, name)
		case s.Columns == nil:
			return part{kind: refSource, name: expr, src: i}, nil
		case !dotted:
			return bad("%s is a CSV source; name a column of %s: {{%s.COLUMN}}", name, s.File, name)
		}
		c := s.column(col)
		if c < 0 {
			hint := suggest.DidYouMean(col, s.Columns)
			if hint == "" {
				hint = "its header names none such" // never list the columns: the file may be anything its path names
			}
			return bad("no column %q in %s; %s", col, s.File, hint)
		}
		return part{kind: refSource, name: expr, src: i, col: c}, nil
	}
	if !IsIdent(expr) {
		return bad("not a name (letters, digits, _ and -), a column (source.column) or a call such as random_int(1, 10)")
	}
	if sc.Vars[expr] {
		return part{kind: refVar, name: expr}, nil
	}
	known := []string{"user.id", "user.class", "uuid", "random_int"}
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
	return bad("unknown function %q; %s", name, suggest.Hint(name, []string{"random_int", "uuid"}))
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
