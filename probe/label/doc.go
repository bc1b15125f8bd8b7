// Package label names the request header ([Header]) by which soak ties a
// request on the server to the run, user class, virtual user and request that
// sent it, and carries those labels, with the matched route, in a request's
// context.
//
// The engine sets the header on every request it sends; the middleware reads
// it (validated and bounded, see [Parse]) and stores an [Info] in the request
// context with [NewContext]; the probe's connection-leak registry reads it back
// with [FromContext] to say which route and which simulated user held a
// database connection.
//
// The package has no dependencies beyond the standard library so that the
// engine, the probe and the middleware can all import it.
//
//	h := http.Header{}
//	h.Set(label.Header, "class=AuthenticatedUser;user=17")
//	set := label.Parse(h) // set.Class == "AuthenticatedUser"
package label
