package engine

// roster is the closed model's record of which users of the plan run:
// always the first n positions of one spawn sequence (the class mix),
// whichever engine runs each of them. A segment of the plan (see
// [Segment]) starts and stops the users at its own positions only, so
// the engines sharing a plan keep one roster each, all alike. It keeps
// the class of every running position, so that a ramp-down takes each
// back from the mix, and it counts the users started in the whole plan,
// which numbers them (User.ID) as one engine would. Used by one
// goroutine.
type roster struct {
	mix     *mix
	classes []int32 // class of each running position
	started int64   // users started so far in the whole plan
}

func newRoster(classes []Class) roster { return roster{mix: newMix(classes)} }

// running is the number of the plan's running users, n.
func (r *roster) running() int { return len(r.classes) }

// grow starts position n: it returns the user's class and number (from
// 1), or ok false when only fixed classes remain and all are full.
func (r *roster) grow() (class int, id int64, ok bool) {
	i := r.mix.next()
	if i < 0 {
		return -1, 0, false
	}
	r.classes = append(r.classes, int32(i))
	r.started++
	return i, r.started, true
}

// shrink stops position n-1 and gives its class back to the mix.
func (r *roster) shrink() {
	last := len(r.classes) - 1
	r.mix.undo(int(r.classes[last]))
	r.classes = r.classes[:last]
}
