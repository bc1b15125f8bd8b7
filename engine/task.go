package engine

import (
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// classState is a class prepared for the run.
type classState struct {
	c     *Class
	idx   int      // index in Plan.Classes
	cum   []int    // cumulative task weights, for weighted random picks
	names []string // exception names, "Class/task"
	users atomic.Int64
}

func newClassState(c *Class, idx int) *classState {
	cs := &classState{c: c, idx: idx}
	sum := 0
	for i, t := range c.Tasks {
		sum += t.Weight
		cs.cum = append(cs.cum, sum)
		name := t.Name
		if name == "" {
			name = "task " + strconv.Itoa(i)
		}
		cs.names = append(cs.names, c.Name+"/"+name)
	}
	return cs
}

// taskCursor is a user's place in its class's task list.
type taskCursor struct{ i, rep int }

// pick returns the index of the user's next task.
func (cs *classState) pick(u *User, cur *taskCursor) int {
	if !cs.c.Sequential {
		n := u.Rand.IntN(cs.cum[len(cs.cum)-1])
		return sort.SearchInts(cs.cum, n+1)
	}
	tasks := cs.c.Tasks
	for cur.rep >= tasks[cur.i].Weight {
		cur.i, cur.rep = (cur.i+1)%len(tasks), 0
	}
	cur.rep++
	return cur.i
}

// maxExceptionLen bounds an exception message kept in the results.
const maxExceptionLen = 300

// taskDone handles a task's (or hook's) error; it reports whether the user
// must stop.
func (r *runner) taskDone(u *User, name string, err error) (stop bool) {
	var re *RequestError
	switch {
	case err == nil:
		return false
	case errors.Is(err, ErrStopUser):
		return true
	case r.runCtx.Err() != nil || errors.Is(err, ErrAborted):
		return true
	case errors.As(err, &re):
		return false // already recorded as a failure
	}
	msg := err.Error()
	if len(msg) > maxExceptionLen {
		msg = msg[:maxExceptionLen]
	}
	u.shard.errorSeen(errKey{name: name, msg: msg, list: listExceptions}, KindOther, time.Now(), r.set.maxErrors)
	return false
}

// quit records that u ended before its time, in name ("Class/on_start",
// "Class/task") because of err: a failed OnStart, or ErrStopUser from a
// task. A user whose request the run's end aborted is not a quit.
func (r *runner) quit(u *User, name string, err error) {
	if err == nil || r.runCtx.Err() != nil || errors.Is(err, ErrAborted) {
		return
	}
	var re *RequestError
	msg := err.Error()
	if errors.As(err, &re) {
		msg = strings.TrimSpace(re.Method+" "+re.Name) + ": " + re.Reason
	}
	if len(msg) > maxExceptionLen {
		msg = msg[:maxExceptionLen]
	}
	u.shard.errorSeen(errKey{name: name, msg: msg, list: listQuits}, KindOther, time.Now(), r.set.maxErrors)
}

// userLoop starts a closed-model user: its OnStart, then its tasks.
func (r *runner) userLoop(u *User) {
	r.userStarted(u.cls)
	if !r.runHook(u, u.cls.c.OnStart, "on_start") {
		u.end()
		return
	}
	u.run()
}

// run runs u's tasks one after the other until u is stopped or quits,
// then ends it, or until a task is followed by a pause (Class.Wait): u
// then parks on its timer, which runs run again, on a new goroutine,
// when the pause is over. A pausing user thus holds no goroutine, and no
// stack (4 KB once a request has grown it), and most users of a run with
// think time are pausing at any moment.
func (u *User) run() {
	r, cs := u.r, u.cls
	for !u.stopped() {
		i := cs.pick(u, &u.cur)
		var t0 time.Time
		if cs.c.Wait != nil {
			t0 = time.Now()
		}
		if err := cs.c.Tasks[i].Do(r.runCtx, u); r.taskDone(u, cs.names[i], err) {
			r.quit(u, cs.names[i], err)
			break
		}
		if cs.c.Wait != nil {
			if d := cs.c.Wait.Next(u.Rand, time.Since(t0)); d > 0 && u.park(d) {
				return
			}
		}
	}
	u.end()
}

// end runs a closed-model user's OnStop and releases it, once, on the
// goroutine that found it stopped.
func (u *User) end() {
	r := u.r
	r.runHook(u, u.cls.c.OnStop, "on_stop")
	r.userStopped(u.cls)
	u.close()
	r.wg.Done()
}

// runHook runs OnStart or OnStop; it reports whether the user may go on.
func (r *runner) runHook(u *User, hook TaskFunc, name string) bool {
	if hook == nil {
		return true
	}
	if r.runCtx.Err() != nil {
		return false
	}
	err := hook(r.runCtx, u)
	r.taskDone(u, u.Class+"/"+name, err)
	// A failed OnStart (a login) leaves the user useless: it stops, its
	// failure or exception recorded, and it counts as a quit.
	if name == "on_start" {
		r.quit(u, u.Class+"/"+name, err)
	}
	return err == nil
}

// stopped reports whether the user was told to stop or the load ended.
func (u *User) stopped() bool {
	return u.leaving.Load() || u.r.stopCtx.Err() != nil
}
