package template

import (
	"strconv"

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

// AppendTo renders t onto b. The only error is an *UnsetError.
func (t *Template) AppendTo(b []byte, r *Renderer) ([]byte, error) {
	if t.static {
		return append(b, t.lit...), nil
	}
	for i := range t.parts {
		p := &t.parts[i]
		switch p.kind {
		case refNone:
			b = append(b, p.lit...)
		case refVar:
			v, ok := r.u.Vars[p.name]
			if !ok {
				return b, &UnsetError{p.name}
			}
			b = appendEscaped(b, v, p.esc)
		case refSource:
			b = appendEscaped(b, r.value(p.src, p.col), p.esc)
		case refUserID:
			b = strconv.AppendInt(b, int64(r.u.ID), 10)
		case refUserClass:
			b = appendEscaped(b, r.u.Class, p.esc)
		case refUUID:
			b = appendUUID(b, r.u.Rand.Uint64(), r.u.Rand.Uint64())
		case refRandInt:
			b = strconv.AppendInt(b, p.lo+r.u.Rand.Int64N(p.hi-p.lo+1), 10)
		}
	}
	return b, nil
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
