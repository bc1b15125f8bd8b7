package scenario

import (
	"runtime"
	"testing"
)

// TestUserStateGoesWithItsUser checks that a user's scenario state is
// dropped once the engine lets go of the user, even though its OnStop
// never ran (a cancelled run), so a plan reused for many runs does not
// keep every user it ever had.
func TestUserStateGoesWithItsUser(t *testing.T) {
	s := mustLoad(t, minimal, nil)
	c := mustCompile(t, s)
	for i := range 50 {
		u := testUser(i+1, "A")
		c.users.bind(c, c.classes[0], u).unbind()
	}
	if n := c.users.len(); n != 50 {
		t.Fatalf("%d states, want 50", n)
	}
	for range 200 { // bounded: cleanups run after a GC, on the runtime's goroutine
		if c.users.len() == 0 {
			return
		}
		runtime.GC()
		runtime.Gosched()
	}
	t.Errorf("%d of 50 states still held after their users were collected", c.users.len())
}
