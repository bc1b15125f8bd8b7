package scenario

import (
	"net/http"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/scenario/internal/template"
)

// userState is a user's scratch space for rendering requests: buffers,
// header map and header values, reused from one request to the next so
// that a rendered request allocates as little as possible. It lives in
// engine.User.State and belongs to the user's hooks and tasks, one at a
// time, like the engine.User.
type userState struct {
	c     *compiled
	cls   *runClass
	u     *engine.User // the user it belongs to
	rend  template.Renderer
	req   engine.Request
	hdr   http.Header
	slots [][]string // per header slot: a one-value slice, reused
	buf   []byte     // path and header rendering
	body  []byte
	step  *runStep // the request being checked
	check func(*engine.Response) error
}

// state returns u's scenario state, kept in u.State: made on the user's
// first hook or task, then found there by every later one. It goes away
// with the user, whether or not its OnStop ran. A state left in u.State
// by another compiled scenario (a Plan's classes mixed by hand) is
// replaced, never misused.
func (c *compiled) state(cls *runClass, u *engine.User) *userState {
	if st, ok := u.State.(*userState); ok && st.c == c && st.cls == cls {
		return st
	}
	st := newUserState(c, cls, u)
	u.State = st
	return st
}

func newUserState(c *compiled, cls *runClass, u *engine.User) *userState {
	st := &userState{c: c, cls: cls, u: u, hdr: http.Header{}, slots: make([][]string, cls.slots)}
	for i := range st.slots {
		st.slots[i] = make([]string, 1)
	}
	st.rend = template.NewRenderer(u, c.sources, len(c.sources))
	st.check = st.checkResponse
	return st
}
