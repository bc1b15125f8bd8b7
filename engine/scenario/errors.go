package scenario

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/soaklab/soak/engine/scenario/internal/bounds"
)

// ErrInvalid matches (errors.Is) every error that reports a problem in a
// scenario: a YAML syntax error, an unknown field, a bad value, a template
// that names an undefined variable, an unreadable data file.
var ErrInvalid = errors.New("scenario: invalid scenario")

// Pos is a position in a scenario file, 1-based. The zero Pos means
// unknown (a scenario built in Go, not parsed).
type Pos struct {
	Line, Column int
}

// Problem is one thing wrong with a scenario, with where it is: the file,
// the line and column of the offending YAML node, and the field path in
// the YAML document ("classes[0].tasks[2].weight").
type Problem struct {
	File  string // the scenario's name as given to Parse or Load; may be ""
	Pos   Pos    // zero when unknown
	Field string // YAML path of the field; "" for syntax errors
	Msg   string // what is wrong, lowercase; never a secret value
}

// Error formats the problem as "file:line:column: field: message",
// leaving out the parts that are unknown.
func (p *Problem) Error() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		b.WriteString(":")
	}
	if p.Pos.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", p.Pos.Line, p.Pos.Column)
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Is reports whether target is ErrInvalid.
func (p *Problem) Is(target error) bool { return target == ErrInvalid }

// Problems is every problem found in a scenario, in file order. Parse,
// Load and Validate return all of them at once, so that a user fixes a
// file in one pass.
type Problems []*Problem

// Error lists the problems, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Is reports whether target is ErrInvalid.
func (ps Problems) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns the problems, for errors.As to find a *Problem.
func (ps Problems) Unwrap() []error {
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errs
}

// sorted orders problems by position (unknown positions last, by field)
// and drops exact duplicates.
func (ps Problems) sorted() Problems {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i].Pos, ps[j].Pos
		switch {
		case (a.Line == 0) != (b.Line == 0):
			return a.Line != 0
		case a.Line != b.Line:
			return a.Line < b.Line
		case a.Column != b.Column:
			return a.Column < b.Column
		}
		return ps[i].Field < ps[j].Field
	})
	out := ps[:0]
	for i, p := range ps {
		if i > 0 && *p == *ps[i-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}

// err returns nil for no problems, else the sorted Problems.
func (ps Problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps.sorted()
}

// positions maps field paths to where they are in the file.
type positions map[string]Pos

// lookup returns the position of field, or of its nearest parent that has
// one ("classes[0].tasks[2].weight", then "classes[0].tasks[2]", ...), or
// the zero Pos for a field the file does not hold (set in Go).
func (m positions) lookup(field string) Pos {
	for field != "" {
		if p, ok := m[field]; ok {
			return p
		}
		i := strings.LastIndexAny(field, ".[")
		if i <= 0 {
			break
		}
		field = field[:i]
	}
	return Pos{}
}

// reporter collects problems for one scenario file, at most
// bounds.MaxProblems and one that counts the rest, and tells the passes
// over it whether their context is done.
type reporter struct {
	file  string
	pos   positions
	probs Problems
	more  int // problems left out

	ctx     context.Context // nil: never done
	ticks   int
	stopped bool
}

// at records a problem at an explicit position.
func (r *reporter) at(p Pos, field, format string, args ...any) {
	if len(r.probs) >= bounds.MaxProblems {
		r.more++
		if r.more == 1 {
			r.probs = append(r.probs, &Problem{File: r.file, Pos: p})
		}
		r.probs[bounds.MaxProblems].Msg = fmt.Sprintf("%d more problems, not shown", r.more)
		return
	}
	r.probs = append(r.probs, &Problem{File: r.file, Pos: p, Field: excerpt(field), Msg: excerpt(fmt.Sprintf(format, args...))})
}

// canceled reports whether the context is done, looking every 1024 calls;
// once it is, the answer stays true.
func (r *reporter) canceled() bool {
	if r.ctx != nil && !r.stopped {
		if r.ticks++; r.ticks%1024 == 0 && r.ctx.Err() != nil {
			r.stopped = true
		}
	}
	return r.stopped
}

// excerpt bounds what a problem quotes of a file: at most
// bounds.MaxMessageBytes, cut with "...", on one line, with control
// characters and invalid UTF-8 escaped.
func excerpt(s string) string {
	clean := len(s) <= bounds.MaxMessageBytes
	for i := 0; clean && i < len(s); i++ {
		clean = s[i] >= ' ' && s[i] < 0x7f
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if b.Len() >= bounds.MaxMessageBytes {
			b.WriteString("...")
			break
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case unicode.IsPrint(r):
			b.WriteRune(r)
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += n
	}
	return b.String()
}

// has reports whether a problem was recorded for field.
func (r *reporter) has(field string) bool {
	for _, p := range r.probs {
		if p.Field == field {
			return true
		}
	}
	return false
}

// field records a problem located by its field path.
func (r *reporter) field(field, format string, args ...any) {
	r.at(r.pos.lookup(field), field, format, args...)
}
