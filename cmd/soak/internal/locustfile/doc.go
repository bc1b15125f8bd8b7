// Package locustfile reads a Locust locustfile (Python) far enough to
// sketch the soak scenario it describes, for `soak -f locustfile.py`:
// the user classes with their weights, fixed counts, waits and hosts,
// the tasks with their weights, and the requests each task, on_start and
// on_stop makes (method, path, name), as a YAML skeleton for the user to
// finish (bodies, captures, data). It never runs the Python: it is a
// bounded reader of its structure, safe on any input (a file soak is
// given is untrusted), which notes what it cannot translate.
//
//	f, err := locustfile.Read(src)
//	if err != nil {
//		return err // not a locustfile soak can sketch: no user class
//	}
//	os.Stdout.Write(f.YAML("locustfile.py"))
//
// Its functions are pure and safe for concurrent use.
package locustfile
