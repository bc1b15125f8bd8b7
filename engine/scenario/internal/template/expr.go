package template

import (
	"fmt"
	"strconv"
	"strings"
)

// The bounds of an expression: what a scenario may ask a template to
// build, so that a small file cannot make a large request or a deep
// parse.
const (
	// maxExprDepth bounds calls inside calls (printf of a random_int).
	maxExprDepth = 8
	// maxArgs bounds the arguments of one call.
	maxArgs = 16
	// maxWidth bounds a printf verb's width (%064d).
	maxWidth = 64
	// maxRepeatBytes bounds the text one repeat writes (its text's
	// length times its count).
	maxRepeatBytes = 1 << 20
)

// exprEnd returns the index in s of the "}}" that closes an expression
// starting at s[0], skipping quoted strings, or -1.
func exprEnd(s string) int {
	var quote byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0 && c == '\\':
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
		case c == '"' || c == '\'':
			quote = c
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			return i
		}
	}
	return -1
}

// parser reads one expression: a name (token, user.id, accounts.name),
// a call (f(arg, ...)), or, as an argument, a quoted string or an
// integer.
type parser struct {
	s   string
	pos int
}

// expr is an expression as parsed, before its names are resolved: a
// name, a call with its arguments, a quoted string or an integer.
type expr struct {
	name   string // a name or a function's name
	call   bool
	args   []expr
	str    *string // a quoted string
	num    *int64  // an integer
	text   string  // the expression as written, for messages
	closed bool    // a call's ")" was found
}

// space skips blanks.
func (p *parser) space() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

// parse reads one expression at depth.
func (p *parser) parse(depth int) (expr, error) {
	p.space()
	start := p.pos
	if depth > maxExprDepth {
		return expr{}, fmt.Errorf("calls nested deeper than %d", maxExprDepth)
	}
	if p.pos >= len(p.s) {
		return expr{}, fmt.Errorf("an argument is missing")
	}
	switch c := p.s[p.pos]; {
	case c == '"' || c == '\'':
		s, err := p.quoted(c)
		if err != nil {
			return expr{}, err
		}
		return expr{str: &s, text: p.s[start:p.pos]}, nil
	case c == '-' || c >= '0' && c <= '9':
		p.pos++
		for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
			p.pos++
		}
		n, err := strconv.ParseInt(p.s[start:p.pos], 10, 64)
		if err != nil {
			return expr{}, fmt.Errorf("%s is not an integer", p.s[start:p.pos])
		}
		return expr{num: &n, text: p.s[start:p.pos]}, nil
	}
	for p.pos < len(p.s) && isNameByte(p.s[p.pos]) {
		p.pos++
	}
	e := expr{name: p.s[start:p.pos]}
	p.space()
	if e.name != "" && p.pos < len(p.s) && p.s[p.pos] == '(' {
		e.call = true
		p.pos++
		if err := p.args(&e, depth); err != nil {
			return expr{}, err
		}
	}
	e.text = p.s[start:p.pos]
	return e, nil
}

// args reads a call's arguments after its "(", and its ")".
func (p *parser) args(e *expr, depth int) error {
	p.space()
	if p.pos < len(p.s) && p.s[p.pos] == ')' {
		p.pos++
		e.closed = true
		return nil
	}
	for p.pos < len(p.s) {
		if len(e.args) == maxArgs {
			return fmt.Errorf("more than %d arguments", maxArgs)
		}
		a, err := p.parse(depth + 1)
		if err != nil {
			return err
		}
		e.args = append(e.args, a)
		p.space()
		if p.pos < len(p.s) && p.s[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos < len(p.s) && p.s[p.pos] == ')' {
			p.pos++
			e.closed = true
		}
		return nil
	}
	return nil
}

// quoted reads a string in quote q: \\, \", \' and \n are its escapes.
func (p *parser) quoted(q byte) (string, error) {
	var b strings.Builder
	for i := p.pos + 1; i < len(p.s); i++ {
		switch c := p.s[i]; {
		case c == q:
			p.pos = i + 1
			return b.String(), nil
		case c == '\\' && i+1 < len(p.s):
			i++
			switch e := p.s[i]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '\\', '"', '\'':
				b.WriteByte(e)
			default:
				return "", fmt.Errorf("unknown escape \\%c in a string (\\\\, \\\", \\', \\n and \\t are known)", e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", fmt.Errorf("a string is not closed by %c", q)
}

// isNameByte reports whether c may be part of a name or a column
// (accounts.username): letters, digits, '_', '-' and '.'.
func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
}
