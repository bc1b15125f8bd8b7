package engine

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/soaklab/soak/probe/label"
)

// ErrStopUser, returned by a task (or wrapped), stops the user quietly, like
// Locust's StopUser: its OnStop runs, and the user is not replaced.
var ErrStopUser = errors.New("engine: stop user")

// User is one virtual user: a session with its own connection, cookie jar,
// default headers and variables. Tasks receive it; everything a task needs,
// Go-coded or data-driven (engine/scenario), goes through it.
//
// A User's tasks and hooks run one after the other, never two at once,
// and its fields and methods must not be used by anything else meanwhile.
// They need not all run on the same goroutine: a closed-model user that
// pauses between tasks (Class.Wait) holds no goroutine while it pauses,
// and its next task runs on a new one.
type User struct {
	// ID is the user's number within the run, from 1, sent as Soak-User.
	ID int
	// Class is the user's class name, sent as Soak-Class.
	Class string
	// Header holds default headers sent with every request of the user,
	// e.g. Authorization after a login in OnStart. It starts as a copy of
	// Class.Header. Request headers with the same key replace them.
	Header http.Header
	// Vars holds the user's variables (captured tokens, ids, ...). It
	// starts empty and lives as long as the user.
	Vars map[string]string
	// Rand is the user's random source, seeded from the run id and ID, so
	// a run's choices do not depend on other users' timing.
	Rand *rand.Rand
	// State is the user's slot for whatever its tasks keep beyond Vars: a
	// data-driven scenario (engine/scenario) keeps its render buffers and
	// data cursors here. It starts nil; the engine never reads or writes
	// it, and it goes away with the user. Like the rest of the User, it
	// belongs to the user's hooks and tasks, one at a time.
	State any

	r        *runner
	cls      *classState
	conn     exchanger
	shard    *shard
	resp     Response
	jar      http.CookieJar
	labels   []byte    // "Soak-Labels: run=...;class=...;user=..." (no CRLF: the request name follows), or nil
	intended time.Time // open model: the arrival's intended start, used by the next request
	lastEnd  time.Time // when the user's previous request ended (the h1 exchange's idle test)
	unhook   func() bool
	timer    *time.Timer // closed model: runs the next task after a pause (park)
	buf      []byte      // request bytes, reused
	cur      taskCursor  // closed model: the place in a sequential class's tasks
	leaving  atomic.Bool // closed model: told to stop (a ramp down)
	parkMu   sync.Mutex  // closed model: orders park with halt
}

// newUser makes user number id (from 1) of class cls.
func (r *runner) newUser(cls *classState, id int) *User {
	u := &User{
		ID:     id,
		Class:  cls.c.Name,
		Header: cls.c.Header.Clone(),
		Vars:   map[string]string{},
		Rand:   rand.New(rand.NewPCG(r.seed, uint64(id))),
		r:      r,
		cls:    cls,
		shard:  r.rec.shardFor(id),
	}
	if u.Header == nil {
		u.Header = http.Header{}
	}
	if !r.plan.DisableLabels {
		b := make([]byte, 0, 48+len(r.info.RunID)+len(u.Class))
		b = append(b, label.Header+": "...)
		u.labels = label.Set{Run: r.info.RunID, Class: u.Class, User: strconv.Itoa(id)}.AppendValue(b)
	}
	u.conn = r.client.newExchanger(u)
	// Cancelling the run aborts this user's request in flight at once.
	u.unhook = context.AfterFunc(r.runCtx, u.conn.shutdown)
	return u
}

func appendHeader(b []byte, k, v string) []byte {
	b = append(b, k...)
	b = append(b, ": "...)
	b = append(b, v...)
	return append(b, "\r\n"...)
}

// Segment is the part of the plan the user's run applies (Plan.Segment;
// the zero value is the whole plan). Whatever all users of a run hand
// out in turn (engine/scenario's round_robin data) takes the segment's
// positions of the plan's turns ([Segment.Position]), so that the
// engines sharing a plan never hand out the same turn.
// A User made outside a run (a test's) has the whole plan.
func (u *User) Segment() Segment {
	if u.r == nil {
		return Segment{}
	}
	return u.r.plan.Segment
}

// Jar returns the user's cookie jar, created on first use. Cookies set by
// responses are stored in it and sent back with later requests.
func (u *User) Jar() http.CookieJar {
	if u.jar == nil {
		u.jar, _ = cookiejar.New(nil) // cannot fail without options
	}
	return u.jar
}

// close releases the user's connection.
func (u *User) close() {
	u.unhook()
	u.conn.close()
	if u.timer != nil {
		u.timer.Stop()
	}
}

// park arms u's timer to run u's next task on a new goroutine after d,
// and reports true: the caller's goroutine then returns and u holds none
// while it pauses. It reports false, the timer disarmed, when u was
// stopped meanwhile. Whoever stops a user sets the stop signal (leaving,
// or the run's stopCtx) and then calls halt: of park, halt and the
// timer's callback, exactly one goes on with the user (the one whose
// Stop disarmed the timer, or the callback). parkMu orders what the
// parking goroutine did before the timer with what halt's goroutine
// does after disarming it.
func (u *User) park(d time.Duration) bool {
	u.parkMu.Lock()
	u.timer.Reset(d)
	u.parkMu.Unlock()
	return !u.stopped() || !u.disarm()
}

// disarm stops u's timer and reports whether this call stopped it (the
// callback has not run and will not).
func (u *User) disarm() bool {
	u.parkMu.Lock()
	defer u.parkMu.Unlock()
	return u.timer.Stop()
}

// halt ends u at once if it is parked: on the caller's goroutine when its
// class has no OnStop (ending then only closes its connection), else on a
// goroutine of its own. Call it after setting u's stop signal; a user in
// a task ends after the task. Ending 10,000 parked users inline, as
// finish does, starts no goroutines and so no stacks at the run's end.
func (u *User) halt() {
	switch {
	case !u.disarm():
	case u.cls.c.OnStop == nil:
		u.end()
	default:
		go u.end()
	}
}
