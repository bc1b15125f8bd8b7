// Package web is soak's live view in a browser (soak run --web ADDR): an
// http.Handler serving one self-contained page (its script and style
// embedded, no CDN), a Server-Sent Events stream of the run as it goes
// (intervals, probe samples, phases, load changes, the findings at the
// end), and the controls: stop, users, rate.
//
// The feed (Server.Start, Interval, Sample, Done) is called by the run's
// own goroutines and never blocks on a viewer: each viewer has a bounded
// queue, and a viewer whose queue is full is disconnected (its browser
// reconnects and is sent the history again). Viewers are capped.
//
// Security: without a token only a loopback address may be served
// ([ErrNotLoopback]); with one, every request must carry it (a Bearer
// header, the cookie the page sets from ?token=, or the token query
// once). Controls are POST only, with the page's CSRF token in the
// X-Soak-CSRF header and, when the browser sends one, a same-origin
// Origin; in read-only mode they are refused. The token is never logged
// nor sent in a page or an event.
package web
