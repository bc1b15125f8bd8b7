package natsfleet

import (
	"errors"
	"fmt"
)

// ErrName is wrapped by the error of a job name or run id that cannot
// name NATS subjects and streams.
var ErrName = errors.New("natsfleet: bad name")

// DefaultJob is the job of a coordinator or worker that names none.
const DefaultJob = "soak"

// maxName bounds a job name and a run id.
const maxName = 64

// CheckJob reports whether job can name a job (Config.Job): an error
// wrapping ErrName unless it is 1-64 letters, digits, - or _.
func CheckJob(job string) error { return checkName("job", job) }

// checkName accepts 1-64 ASCII letters, digits, '-' and '_': a NATS
// subject token, stream name and object store bucket name alike.
func checkName(what, s string) error {
	if s == "" || len(s) > maxName {
		return fmt.Errorf("%w: %s %q: 1-%d letters, digits, - or _", ErrName, what, s, maxName)
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("%w: %s %q: 1-%d letters, digits, - or _", ErrName, what, s, maxName)
		}
	}
	return nil
}

// names are the JetStream stream, object store bucket and subjects of
// one job, and of one run of it.
//
//	stream SOAK_<job>, subjects soak.<job>.plan and soak.<job>.run.>:
//	  soak.<job>.plan                       the latest run's announcement
//	  soak.<job>.run.<run>.ev               the coordinator's events
//	  soak.<job>.run.<run>.w.<worker>.up    a worker's engine started (its RunInfo)
//	  soak.<job>.run.<run>.w.<worker>.iv    a worker's intervals, in order
//	  soak.<job>.run.<run>.w.<worker>.done  a worker's engine ended
//	core NATS (request/reply), not stored:
//	  soak.<job>.join.<run>                 a worker asks for a segment
//	object store SOAK_<job>_SPEC:
//	  <run>                                 the run's spec (the plan, for workers)
type names struct{ job, run string }

func (n names) stream() string { return "SOAK_" + n.job }
func (n names) bucket() string { return "SOAK_" + n.job + "_SPEC" }

// stored are the stream's subjects: everything of the job but the
// joins, which are requests (a stream capturing them would answer them).
func (n names) stored() []string {
	return []string{n.plan(), "soak." + n.job + ".run.>"}
}
func (n names) plan() string   { return "soak." + n.job + ".plan" }
func (n names) runs() string   { return "soak." + n.job + ".run." + n.run }
func (n names) events() string { return n.runs() + ".ev" }
func (n names) join() string   { return "soak." + n.job + ".join." + n.run }
func (n names) everything() string {
	return n.runs() + ".>"
}
func (n names) worker(id, kind string) string { return n.runs() + ".w." + id + "." + kind }

// Kinds of worker messages, the last token of their subject.
const (
	kindUp       = "up"
	kindInterval = "iv"
	kindDone     = "done"
)
