package middleware

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
)

// Rate-limit response fields, in the separate-field form of the IETF draft
// "RateLimit header fields for HTTP" (draft-ietf-httpapi-ratelimit-headers,
// revisions up to 06; the form express-rate-limit calls draft-6 and most
// clients parse). These three are sent on every 429, and on the allowed
// responses the limiter's [HeaderMode] selects (by default those of an
// identity with half its allowance or less left):
//
//	RateLimit-Limit: 100          requests allowed per window (Policy.Limit)
//	RateLimit-Remaining: 41       requests the identity may still send now
//	RateLimit-Reset: 36           seconds until the full burst is back
//
// and on a 429 also:
//
//	RateLimit-Policy: 100;w=60    limit per window of w seconds (";burst=N" when Burst != Limit)
//	Retry-After: 1                seconds until the request would be allowed (rounded up, at least 1)
//
// (The policy never changes, so allowed responses do not repeat it: every
// field costs the server and the client a little on each response.) The keys below are in
// canonical form, which is how Go writes them ("Ratelimit-Limit"); header
// names are case-insensitive.
const (
	HeaderRateLimitLimit     = "Ratelimit-Limit"
	HeaderRateLimitRemaining = "Ratelimit-Remaining"
	HeaderRateLimitReset     = "Ratelimit-Reset"
	HeaderRateLimitPolicy    = "Ratelimit-Policy"
	HeaderRetryAfter         = "Retry-After"
)

// HeaderMode says on which allowed responses a rate limiter sends the
// RateLimit-Limit, -Remaining and -Reset fields; every 429 carries them
// (and RateLimit-Policy and Retry-After) whatever the mode.
//
// The draft leaves it to the server which responses carry the fields. A
// client learns what it needs (how much is left, when it is back) while
// it is near the limit, and the fields on every other response are
// overhead for server and client alike: 71 bytes and three more fields to
// write and parse on a response that says nothing new (measured in
// docs/performance.md).
type HeaderMode uint8

const (
	// HeadersNearLimit sends the fields on allowed responses once the
	// identity has half its allowance or less left (RateLimit-Remaining
	// at most half of min(Limit, Burst), an idle identity's Remaining),
	// and on every 429. The default.
	HeadersNearLimit HeaderMode = iota
	// HeadersAlways sends the fields on every response the limiter
	// handles.
	HeadersAlways
	// HeadersDenied sends them on 429s only.
	HeadersDenied
)

func (m HeaderMode) String() string {
	switch m {
	case HeadersNearLimit:
		return "near-limit"
	case HeadersAlways:
		return "always"
	case HeadersDenied:
		return "denied"
	}
	return fmt.Sprintf("HeaderMode(%d)", uint8(m))
}

// validHeaderMode reports an unknown mode, wrapping [ErrInvalidConfig].
func validHeaderMode(m HeaderMode) error {
	if m > HeadersDenied {
		return fmt.Errorf("%w: Headers: unknown HeaderMode %d (want HeadersNearLimit, HeadersAlways or HeadersDenied)", ErrInvalidConfig, uint8(m))
	}
	return nil
}

// maxCachedNumber bounds the table of preformatted header numbers.
const maxCachedNumber = 4096

// headerValues preformats the field values so that setting them on an
// allowed response does not allocate: each value is a one-element slice of
// a shared backing array with capacity 1, so an Add by a later handler
// copies instead of writing into it.
type headerValues struct {
	limit, policy []string
	nums          []string // nums[i] == strconv.Itoa(i)
	quiet         int      // allowed responses with Remaining above this carry no field
}

func newHeaderValues(p Policy, mode HeaderMode) *headerValues {
	n := min(max(p.Limit, p.BurstOrLimit(), int(ceilSeconds(p.Period)))+1, maxCachedNumber)
	hv := &headerValues{
		quiet:  min(p.Limit, p.BurstOrLimit()) / 2,
		limit:  []string{strconv.Itoa(p.Limit)},
		policy: []string{headerPolicy(p)},
		nums:   make([]string, n),
	}
	for i := range hv.nums {
		hv.nums[i] = strconv.Itoa(i)
	}
	switch mode {
	case HeadersAlways:
		hv.quiet = math.MaxInt
	case HeadersDenied:
		hv.quiet = -1 // Remaining is never negative
	}
	return hv
}

func (hv *headerValues) num(n int64) []string {
	if n >= 0 && n < int64(len(hv.nums)) {
		return hv.nums[n : n+1 : n+1]
	}
	return []string{strconv.FormatInt(n, 10)}
}

// SetHeaders writes the RateLimit-* fields of d on a response's header h,
// and RateLimit-Policy and Retry-After when d denies; on an allowed
// response, only if the limiter's [HeaderMode] wants them. It does not
// allocate for numbers up to 4096. The rate limiters of this package and
// of middleware/echoprobe call it on every request they pass or deny.
func (l *Limiter) SetHeaders(h http.Header, d Decision) { l.hv.set(h, d) }

// DeniedBody returns the JSON body of a 429 for a request of the identity
// kind that d denied (see [RateLimiter]); it never names the identity's
// key.
func (l *Limiter) DeniedBody(kind string, d Decision) []byte { return denyJSON(l.policy, kind, d) }

// set writes the RateLimit-* fields, and RateLimit-Policy and Retry-After
// when d denies.
func (hv *headerValues) set(h http.Header, d Decision) {
	if d.Allowed && d.Remaining > hv.quiet {
		return
	}
	h[HeaderRateLimitLimit] = hv.limit[:1:1]
	h[HeaderRateLimitRemaining] = hv.num(int64(d.Remaining))
	h[HeaderRateLimitReset] = hv.num(ceilSeconds(d.Reset))
	if !d.Allowed {
		h[HeaderRateLimitPolicy] = hv.policy[:1:1]
		h[HeaderRetryAfter] = hv.num(max(ceilSeconds(d.RetryAfter), 1))
	}
}

// deniedBody is the JSON body of a 429 response. It never names the
// identity's key (a header value may be a credential).
type deniedBody struct {
	Error             string `json:"error"`
	Policy            string `json:"policy"`
	Identity          string `json:"identity"`
	RetryAfterSeconds int64  `json:"retry_after_seconds"`
}

// MessageRateLimited is the "error" field of a 429 body.
const MessageRateLimited = "Rate limit exceeded"

func denyJSON(p Policy, kind string, d Decision) []byte {
	b, err := json.Marshal(deniedBody{
		Error:             MessageRateLimited,
		Policy:            p.String(),
		Identity:          kind,
		RetryAfterSeconds: max(ceilSeconds(d.RetryAfter), 1),
	})
	if err != nil { // cannot happen: strings and an integer
		return []byte(`{"error":"` + MessageRateLimited + `"}`)
	}
	return append(b, '\n')
}

// writeDenied answers a denied net/http request: 429, JSON body. The
// RateLimit-* fields are already set.
func writeDenied(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h["Content-Type"] = jsonContentType[:1:1]
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write(body)
}

var jsonContentType = []string{"application/json"}
