package template

import (
	"fmt"
	"strconv"

	"github.com/soaklab/soak/engine/internal/human"
)

// verb is a piece of a printf format: literal text (kind 0, escaped for
// where it lands) or a verb that writes its argument.
type verb struct {
	kind  byte // 0: literal; 'd': an integer; 's': text
	lit   string
	width int  // %5d: at least this many characters
	zero  bool // %05d: pad with zeros after the sign
	left  bool // %-5d: pad on the right
}

// printf compiles printf(format, args...): Python's and C's "%04d"
// formatting, the subset a scenario needs to build names such as
// user0042: %d (%i) with an optional 0 or - flag and a width, %s, and
// %% for a percent sign.
func (c *compiler) printf(e expr) (node, error) {
	if len(e.args) == 0 || e.args[0].str == nil {
		return node{}, fmt.Errorf("printf's first argument is its format, a quoted string such as \"user%%04d\"")
	}
	verbs, err := parseFormat(*e.args[0].str, c.esc)
	if err != nil {
		return node{}, err
	}
	n := node{kind: refPrintf, name: e.name, verbs: verbs}
	want := 0
	for _, v := range verbs {
		if v.kind != 0 {
			want++
		}
	}
	if got := len(e.args) - 1; got != want {
		return node{}, fmt.Errorf("the format has %s for %s", human.Plural(int64(want), "verb"), human.Plural(int64(got), "argument"))
	}
	i := 0
	for _, v := range verbs {
		if v.kind == 0 {
			continue
		}
		a, err := c.compile(e.args[i+1], false)
		if err != nil {
			return node{}, err
		}
		if v.kind == 'd' && !integral(a.kind) {
			return node{}, fmt.Errorf("%%d needs a whole number (user.id, random_int(...), a variable or a column holding one); %s is not one", e.args[i+1].text)
		}
		n.args = append(n.args, a)
		i++
	}
	return n, nil
}

// integral reports whether a %d argument of kind k can be a number: it
// is one, or it is text read at render time (a variable, a column).
func integral(k refKind) bool {
	switch k {
	case refInt, refUserID, refRandInt, refVar, refSource:
		return true
	}
	return false
}

// parseFormat splits a printf format into literal text (escaped for
// esc) and verbs.
func parseFormat(f string, esc Escaper) ([]verb, error) {
	var out []verb
	var lit []byte
	flush := func() {
		if len(lit) > 0 {
			out = append(out, verb{lit: string(appendEscaped(nil, string(lit), esc))})
			lit = lit[:0]
		}
	}
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			lit = append(lit, f[i])
			continue
		}
		start := i
		i++
		if i < len(f) && f[i] == '%' {
			lit = append(lit, '%')
			continue
		}
		v := verb{}
		for ; i < len(f) && (f[i] == '0' || f[i] == '-'); i++ {
			if f[i] == '0' {
				v.zero = true
			} else {
				v.left = true
			}
		}
		w := i
		for i < len(f) && f[i] >= '0' && f[i] <= '9' {
			i++
		}
		if i > w {
			n, err := strconv.Atoi(f[w:i])
			if err != nil || n > maxWidth {
				return nil, fmt.Errorf("width %s in %q is above %d", f[w:i], f[start:min(i+1, len(f))], maxWidth)
			}
			v.width = n
		}
		if i >= len(f) {
			return nil, fmt.Errorf("the format ends inside %q; write %%%% for a percent sign", f[start:])
		}
		switch f[i] {
		case 'd', 'i':
			v.kind = 'd'
		case 's':
			v.kind = 's'
			if v.width > 0 || v.zero || v.left {
				return nil, fmt.Errorf("%q: a width or flag applies to %%d only; write %%s", f[start:i+1])
			}
		default:
			return nil, fmt.Errorf("%q is not a verb printf knows: %%d (or %%i) for a whole number, %%s for text, %%%% for a percent sign", f[start:i+1])
		}
		flush()
		out = append(out, v)
	}
	flush()
	return out, nil
}

// appendInt appends v formatted as the verb says, its padding escaped
// for esc (a space in a path is %20).
func (v *verb) appendInt(b []byte, n int64, esc Escaper) []byte {
	var tmp [24]byte
	digits := strconv.AppendInt(tmp[:0], n, 10)
	pad := v.width - len(digits)
	switch {
	case pad <= 0:
		return append(b, digits...)
	case v.zero && !v.left:
		if digits[0] == '-' {
			b = append(b, '-')
			digits = digits[1:]
		}
		for range pad {
			b = append(b, '0')
		}
		return append(b, digits...)
	case v.left:
		b = append(b, digits...)
		return appendSpaces(b, pad, esc)
	}
	return append(appendSpaces(b, pad, esc), digits...)
}

// appendSpaces appends n spaces escaped for esc.
func appendSpaces(b []byte, n int, esc Escaper) []byte {
	sp := " "
	if esc == InPath || esc == InQuery {
		sp = "%20"
	}
	for range n {
		b = append(b, sp...)
	}
	return b
}
