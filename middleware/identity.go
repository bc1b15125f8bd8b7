package middleware

import (
	"fmt"
	"net"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/soaklab/soak/probe"
)

// Identity kinds of the identifiers this package provides. Denials are
// counted in the probe under these names.
const (
	KindUser   = probe.IdentityUser   // "user": an authenticated user id
	KindHeader = probe.IdentityHeader // "header": a request header's value
	KindIP     = probe.IdentityIP     // "ip": the client address
)

// MaxIdentityLen is the longest identity key used, in bytes. A longer key
// (a giant header, say) does not identify the request: the next identifier
// is tried, and the client IP in the end.
const MaxIdentityLen = 128

// An Identifier says who sent a request, for rate limiting. Echo is used by
// the echo middleware and HTTP by the net/http one; either may be nil when
// the identifier has no meaning there (a nil Echo falls back to HTTP on
// c.Request()). Both return ok=false when the request carries no such
// identity, and the next identifier is tried; the client IP is the final
// fallback.
//
// Extractors run on every request, concurrently: they must be fast and safe
// for concurrent use.
type Identifier struct {
	// Kind labels the identity: denials are counted by Kind in the probe.
	Kind string
	Echo func(c echo.Context) (key string, ok bool)
	HTTP func(r *http.Request) (key string, ok bool)
}

// UserFromEcho identifies requests by the authenticated user id that an
// earlier echo middleware stored with c.Set(key, id). The value may be a
// string, any integer type or a [fmt.Stringer]; empty means anonymous.
func UserFromEcho(key string) Identifier {
	return Identifier{
		Kind: KindUser,
		Echo: func(c echo.Context) (string, bool) { return keyOf(c.Get(key)) },
	}
}

// UserFromContext identifies requests by the authenticated user id that an
// earlier middleware stored in the request context under key (as
// context.WithValue(ctx, key, id)); value types as for [UserFromEcho].
func UserFromContext(key any) Identifier {
	return Identifier{
		Kind: KindUser,
		HTTP: func(r *http.Request) (string, bool) { return keyOf(r.Context().Value(key)) },
	}
}

// Header identifies requests by the value of a request header, such as an
// API client id. The value is kept in memory only, never logged or
// reported (the probe counts denials by Kind "header"), but prefer a
// non-secret header: an id, not a token.
func Header(name string) Identifier {
	name = http.CanonicalHeaderKey(name)
	return Identifier{
		Kind: KindHeader,
		HTTP: func(r *http.Request) (string, bool) {
			v := r.Header[name]
			if len(v) != 1 {
				return "", false
			}
			return keyString(v[0])
		},
	}
}

// ClientIP identifies requests by client IP: echo's c.RealIP() (which
// honours Echo#IPExtractor, so configure that behind a trusted proxy), and
// the host of r.RemoteAddr for net/http. It is the fallback of every
// identifier list.
func ClientIP() Identifier { return clientIP }

var clientIP = Identifier{
	Kind: KindIP,
	Echo: func(c echo.Context) (string, bool) { return keyString(c.RealIP()) },
	HTTP: func(r *http.Request) (string, bool) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		return keyString(host)
	},
}

// keyOf turns an identity value into a key (see keyString). Only integers
// and Stringers allocate.
func keyOf(v any) (string, bool) {
	var s string
	switch v := v.(type) {
	case nil:
		return "", false
	case string:
		s = v
	case int:
		s = strconv.Itoa(v)
	case int64:
		s = strconv.FormatInt(v, 10)
	case int32:
		s = strconv.FormatInt(int64(v), 10)
	case uint64:
		s = strconv.FormatUint(v, 10)
	case uint32:
		s = strconv.FormatUint(uint64(v), 10)
	case uint:
		s = strconv.FormatUint(uint64(v), 10)
	case fmt.Stringer:
		s = v.String()
	default:
		return "", false
	}
	return keyString(s)
}

// keyString accepts s as a key if it is non-empty and at most
// MaxIdentityLen bytes. (A string passed as an interface would be boxed on
// the heap: strings take this path.)
func keyString(s string) (string, bool) {
	if s == "" || len(s) > MaxIdentityLen {
		return "", false
	}
	return s, true
}

// identify returns the first identity the identifiers yield for an echo
// request (c != nil) or a net/http request, falling back to the client IP.
func identify(ids []Identifier, c echo.Context, r *http.Request) Identity {
	for i := range ids {
		if key, ok := ids[i].extract(c, r); ok {
			return Identity{Kind: ids[i].Kind, Key: key}
		}
	}
	key, ok := clientIP.extract(c, r)
	if !ok {
		key = "unknown"
	}
	return Identity{Kind: KindIP, Key: key}
}

func (id *Identifier) extract(c echo.Context, r *http.Request) (string, bool) {
	if c != nil && id.Echo != nil {
		return id.Echo(c)
	}
	if id.HTTP == nil {
		return "", false
	}
	if c != nil {
		r = c.Request()
	}
	return id.HTTP(r)
}
