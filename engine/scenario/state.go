package scenario

import (
	"net/http"
	"runtime"
	"sync"
	"weak"

	"github.com/soaklab/soak/engine"
)

// userState is a user's scratch space for rendering requests: buffers,
// header map and header values, reused from one request to the next so
// that a rendered request allocates as little as possible. It belongs to
// the user's goroutine, like the engine.User.
type userState struct {
	c     *compiled
	cls   *runClass
	u     *engine.User // set only while one of the user's hooks or tasks runs
	rend  renderer
	req   engine.Request
	hdr   http.Header
	slots [][]string // per header slot: a one-value slice, reused
	buf   []byte     // path and header rendering
	body  []byte
	step  *runStep // the request being checked
	check func(*engine.Response) error
}

// userStates maps live engine users to their state. The engine.User
// offers no slot for a data-driven scenario's state, so it is kept here,
// keyed by a weak pointer: an entry goes away with its user even when the
// user's OnStop never ran (a cancelled run), so a Plan reused for many
// runs does not accumulate dead users.
type userStates struct {
	m sync.Map // weak.Pointer[engine.User] -> *userState
}

// bind returns u's state, created on first use, bound to u until
// unbind. The state holds no reference to u between calls, or the weak
// key could never expire.
func (s *userStates) bind(c *compiled, cls *runClass, u *engine.User) *userState {
	key := weak.Make(u)
	var st *userState
	if v, ok := s.m.Load(key); ok {
		st = v.(*userState)
	} else {
		st = newUserState(c, cls)
		s.m.Store(key, st)
		runtime.AddCleanup(u, func(k weak.Pointer[engine.User]) { s.m.Delete(k) }, key)
	}
	st.u, st.rend.u = u, u
	return st
}

// unbind drops the state's references to its user.
func (st *userState) unbind() { st.u, st.rend.u = nil, nil }

// drop forgets u's state (its OnStop ran).
func (s *userStates) drop(u *engine.User) { s.m.Delete(weak.Make(u)) }

// len returns the number of users with state, for tests.
func (s *userStates) len() int {
	n := 0
	s.m.Range(func(any, any) bool { n++; return true })
	return n
}

func newUserState(c *compiled, cls *runClass) *userState {
	st := &userState{c: c, cls: cls, hdr: http.Header{}, slots: make([][]string, cls.slots)}
	for i := range st.slots {
		st.slots[i] = make([]string, 1)
	}
	st.rend = renderer{data: c.sources, rows: make([]int, len(c.sources))}
	st.check = st.checkResponse
	return st
}
