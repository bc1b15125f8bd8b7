package scenario

import (
	"math/rand/v2"
	"net/http"
	"testing"
	"testing/fstest"

	"github.com/soaklab/soak/engine"
)

// testUser is an engine.User as the engine hands one to a task, for
// rendering without a run (rendering never sends).
func testUser(id int, class string) *engine.User {
	return &engine.User{ID: id, Class: class, Header: http.Header{}, Vars: map[string]string{},
		Rand: rand.New(rand.NewPCG(7, uint64(id)))}
}

// mustLoad parses src as scenario "s.yaml" in a file system that also
// holds files (CSV data).
func mustLoad(t testing.TB, src string, files map[string]string) *Scenario {
	t.Helper()
	fsys := fstest.MapFS{"s.yaml": {Data: []byte(src)}}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	s, err := LoadFS(fsys, "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// renderFixture compiles s and binds a state for user u of class ci.
type renderFixture struct {
	c  *compiled
	st *userState
}

func newRenderFixture(t testing.TB, s *Scenario, ci int, u *engine.User) *renderFixture {
	t.Helper()
	c := mustCompile(t, s)
	return &renderFixture{c: c, st: c.state(c.classes[ci], u)}
}

// mustCompile compiles s as Plan does.
func mustCompile(t testing.TB, s *Scenario) *compiled {
	t.Helper()
	r := &reporter{file: s.File, pos: s.positions()}
	c := s.compile(r)
	if err := r.probs.err(); err != nil {
		t.Fatal(err)
	}
	return c
}

// render renders task ti's step si and returns the request.
func (f *renderFixture) render(t testing.TB, ti, si int) *engine.Request {
	t.Helper()
	if err := f.st.render(f.st.cls.tasks[ti][si]); err != nil {
		t.Fatal(err)
	}
	return &f.st.req
}

// loadOne is a one-user closed load for plans that are built, not run.
var loadOne = engine.Closed{Users: 1}
