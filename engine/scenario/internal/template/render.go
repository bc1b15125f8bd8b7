package template

import (
	"strconv"
	"strings"

	"github.com/soaklab/soak/engine"
)

// UnsetError is a render error: a per-user variable read before it was
// set. Its message names the variable, never a value.
type UnsetError struct{ Name string }

func (e *UnsetError) Error() string {
	return "{{" + e.Name + "}}: variable not set yet (capture or vars: sets it)"
}

// Data hands out the rows of the data sources, numbered as in the
// Scope's Sources.
type Data interface {
	// Row returns the row source src hands user u for one request.
	Row(src int, u *engine.User) []string
}

// Renderer is what rendering needs: the user, the run's data, and the
// rows picked for the request being rendered, so that every column of a
// CSV source comes from one row within a request. It belongs to the
// user's goroutine.
type Renderer struct {
	u    *engine.User
	data Data
	rows [][]string // per source: the row picked for this request, or nil
}

// NewRenderer returns a renderer for u, over sources data sources.
func NewRenderer(u *engine.User, data Data, sources int) Renderer {
	return Renderer{u: u, data: data, rows: make([][]string, sources)}
}

// Reset forgets the rows picked for the previous request.
func (r *Renderer) Reset() { clear(r.rows) }

// ValueError is a render error: a value that cannot be used as the
// template asks (text where printf's %d needs a whole number). Its
// message names the variable or column, never the value.
type ValueError struct{ Name, Why string }

func (e *ValueError) Error() string { return "{{" + e.Name + "}}: " + e.Why }

// AppendTo renders t onto b. Its errors are an *UnsetError or a
// *ValueError.
func (t *Template) AppendTo(b []byte, r *Renderer) ([]byte, error) {
	if t.static {
		return append(b, t.lit...), nil
	}
	for i := range t.parts {
		p := &t.parts[i]
		if p.kind == refNone {
			b = append(b, p.lit...)
			continue
		}
		var err error
		if b, err = r.appendNode(b, &p.node, p.esc); err != nil {
			return b, err
		}
	}
	return b, nil
}

// appendNode renders n onto b, escaped for esc.
func (r *Renderer) appendNode(b []byte, n *node, esc Escaper) ([]byte, error) {
	switch n.kind {
	case refVar:
		v, ok := r.u.Vars[n.name]
		if !ok {
			return b, &UnsetError{n.name}
		}
		return appendEscaped(b, v, esc), nil
	case refSource:
		return appendEscaped(b, r.value(n.src, n.col), esc), nil
	case refUserID:
		return strconv.AppendInt(b, int64(r.u.ID), 10), nil
	case refUserClass:
		return appendEscaped(b, r.u.Class, esc), nil
	case refUUID:
		return appendUUID(b, r.u.Rand.Uint64(), r.u.Rand.Uint64()), nil
	case refRandInt:
		return strconv.AppendInt(b, n.lo+r.u.Rand.Int64N(n.hi-n.lo+1), 10), nil
	case refString:
		return appendEscaped(b, n.lit, esc), nil
	case refInt:
		return strconv.AppendInt(b, n.num, 10), nil
	case refRepeat:
		for range n.num {
			b = append(b, n.lit...)
		}
		return b, nil
	case refPrintf:
		return r.appendPrintf(b, n, esc)
	}
	return b, nil
}

// appendPrintf renders printf's format with its arguments.
func (r *Renderer) appendPrintf(b []byte, n *node, esc Escaper) ([]byte, error) {
	arg := 0
	for i := range n.verbs {
		v := &n.verbs[i]
		switch v.kind {
		case 0:
			b = append(b, v.lit...)
			continue
		case 'd':
			x, err := r.intOf(&n.args[arg])
			if err != nil {
				return b, err
			}
			b = v.appendInt(b, x, esc)
		default:
			var err error
			if b, err = r.appendNode(b, &n.args[arg], esc); err != nil {
				return b, err
			}
		}
		arg++
	}
	return b, nil
}

// intOf is the whole number a %d argument stands for.
func (r *Renderer) intOf(n *node) (int64, error) {
	var text string
	switch n.kind {
	case refInt:
		return n.num, nil
	case refUserID:
		return int64(r.u.ID), nil
	case refRandInt:
		return n.lo + r.u.Rand.Int64N(n.hi-n.lo+1), nil
	case refVar:
		v, ok := r.u.Vars[n.name]
		if !ok {
			return 0, &UnsetError{n.name}
		}
		text = v
	case refSource:
		text = r.value(n.src, n.col)
	}
	x, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
	if err != nil {
		return 0, &ValueError{Name: n.name, Why: "printf's %d needs a whole number; the value is not one"}
	}
	return x, nil
}

// value returns column col of the row source i hands this request.
func (r *Renderer) value(i, col int) string {
	if r.rows[i] == nil {
		r.rows[i] = r.data.Row(i, r.u)
	}
	return r.rows[i][col]
}

// appendUUID appends a version 4 UUID made of hi and lo.
func appendUUID(b []byte, hi, lo uint64) []byte {
	const hex = "0123456789abcdef"
	hi = hi&^(0xf<<12) | 4<<12 // version 4
	lo = lo&^(0x3<<62) | 2<<62 // variant 10
	for i := 60; i >= 0; i -= 4 {
		if i == 28 || i == 12 {
			b = append(b, '-')
		}
		b = append(b, hex[hi>>uint(i)&0xf])
	}
	b = append(b, '-')
	for i := 60; i >= 0; i -= 4 {
		if i == 44 {
			b = append(b, '-')
		}
		b = append(b, hex[lo>>uint(i)&0xf])
	}
	return b
}
