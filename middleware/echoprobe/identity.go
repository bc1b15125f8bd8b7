package echoprobe

import (
	"github.com/labstack/echo/v4"

	"github.com/soaklab/soak/middleware"
)

// An Identifier says who sent an echo request, for rate limiting: Echo
// returns ok=false when the request carries no such identity, and the next
// identifier is tried; the client IP ([ClientIP]) is the final fallback.
// The net/http identifiers of package middleware (Header,
// UserFromContext) work here through [FromHTTP].
//
// Echo runs on every request, concurrently: it must be fast and safe for
// concurrent use; middleware.IdentityKey turns a value into a bounded key.
type Identifier struct {
	// Kind labels the identity: denials are counted by Kind in the probe,
	// and the policy declared to the probe is per Kind (middleware.KindUser,
	// KindHeader, KindIP, or a name of the service's own: at most 32
	// letters, digits, '-' or '_').
	Kind string
	Echo func(c echo.Context) (key string, ok bool)
}

// User identifies requests by the authenticated user id that an earlier
// echo middleware stored with c.Set(key, id). The value may be a string,
// any integer type or a fmt.Stringer (see middleware.IdentityKey); empty
// means anonymous.
func User(key string) Identifier {
	return Identifier{
		Kind: middleware.KindUser,
		Echo: func(c echo.Context) (string, bool) { return middleware.IdentityKey(c.Get(key)) },
	}
}

// ClientIP identifies requests by client IP: c.RealIP(), which honours
// Echo#IPExtractor, so configure that behind a trusted proxy. It is the
// fallback of every identifier list.
func ClientIP() Identifier { return clientIP }

var clientIP = Identifier{
	Kind: middleware.KindIP,
	Echo: func(c echo.Context) (string, bool) { return middleware.IdentityKeyString(c.RealIP()) },
}

// FromHTTP makes a net/http identifier (middleware.Header,
// middleware.UserFromContext, or one of the service's own) an echo one: it
// reads c.Request().
func FromHTTP(id middleware.Identifier) Identifier {
	return Identifier{
		Kind: id.Kind,
		Echo: func(c echo.Context) (string, bool) {
			if id.HTTP == nil {
				return "", false
			}
			return id.HTTP(c.Request())
		},
	}
}

// identify returns the first identity the identifiers yield for c,
// falling back to the client IP.
func identify(ids []Identifier, c echo.Context) middleware.Identity {
	for i := range ids {
		if key, ok := ids[i].Echo(c); ok {
			return middleware.Identity{Kind: ids[i].Kind, Key: key}
		}
	}
	key, ok := clientIP.Echo(c)
	if !ok {
		key = middleware.UnknownIdentity
	}
	return middleware.Identity{Kind: middleware.KindIP, Key: key}
}
