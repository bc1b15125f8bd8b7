package analysis

import "strings"

// goroutineOwner names what keeps a library's own goroutines waiting: a
// thing the application opened and never closed. The stacks of such
// goroutines end in the library (net/http.(*persistConn).writeLoop),
// which the application does not change; the fix is in how it uses the
// library, and the goroutine-leak finding says so.
type goroutineOwner struct {
	prefix string // the suspect's function, or a prefix of it
	what   string // what the goroutines belong to and why they stay
	fix    string // the next step
}

// goroutineOwners are the libraries' goroutines that outlive a request only
// when the application leaves their owner open.
var goroutineOwners = []goroutineOwner{
	{"net/http.(*persistConn).",
		"outbound HTTP connections of net/http's client left open (a response whose Body is never closed keeps its connection and these two goroutines)",
		"Close every http.Response's Body on every path: defer resp.Body.Close() right after the error check, also when the status is an error or the body is not read. Share one http.Client: a Transport made per request keeps its idle connections open."},
	{"net/http.(*http2ClientConn).",
		"outbound HTTP/2 connections of net/http's client left open (a response Body never closed, or a Transport per request)",
		"Close every http.Response's Body on every path, and share one http.Client instead of making a Transport per request."},
	{"database/sql.(*DB).connectionOpener",
		"database/sql DBs never closed (each sql.Open starts this goroutine until DB.Close)",
		"Open the DB once at start-up and share it; close it on shutdown."},
	{"github.com/jackc/pgx/v5/pgxpool.(*Pool).",
		"pgxpool pools never closed (each pool runs a health-check goroutine until Pool.Close)",
		"Make the pool once at start-up and share it; Close it on shutdown."},
	{"github.com/redis/go-redis/v9.(*channel).",
		"go-redis PubSub channels never closed (PubSub.Channel's goroutines run until PubSub.Close)",
		"Close each PubSub when its reader is done (defer pubsub.Close())."},
}

// ownerOf returns the goroutineOwner whose prefix fn starts with, or nil.
func ownerOf(fn string) *goroutineOwner {
	for i := range goroutineOwners {
		if strings.HasPrefix(fn, goroutineOwners[i].prefix) {
			return &goroutineOwners[i]
		}
	}
	return nil
}
