// Package jsonpath matches the JSON paths of a scenario's captures and
// checks ($.token, $.items[0].id, $.stories[*].slug) against a response
// body in place: compiling happens once, when the plan is built, and
// matching scans the body's bytes without decoding them, so it allocates
// nothing. Malformed JSON ends a match (nothing more matches); it never
// panics.
//
//	p, err := jsonpath.Compile("$.stories[*].slug")
//	if err != nil {
//		return err // names what is wrong in the path
//	}
//	v, n := p.Pick(body, rnd) // one of n matches, uniformly at random
//	slug, ok := jsonpath.Text(v)
//
// A Path is immutable and safe for concurrent use; Pick's *rand.Rand is
// the caller's.
package jsonpath
