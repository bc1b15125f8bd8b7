package middleware

import (
	"fmt"
	"net"
	"net/http"
	"strconv"

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

// An Identifier says who sent a request, for rate limiting: HTTP returns
// ok=false when the request carries no such identity, and the next
// identifier is tried; the client IP is the final fallback. (The echo
// limiter of middleware/echoprobe has identifiers of its own, and takes
// these too.)
//
// HTTP runs on every request, concurrently: it must be fast and safe for
// concurrent use; [IdentityKey] turns a value into a bounded key.
type Identifier struct {
	// Kind labels the identity: denials are counted by Kind in the probe,
	// and the policy declared to the probe is per Kind (at most 32
	// letters, digits, '-' or '_').
	Kind string
	HTTP func(r *http.Request) (key string, ok bool)
}

// UserFromContext identifies requests by the authenticated user id that an
// earlier middleware stored in the request context under key (as
// context.WithValue(ctx, key, id)); value types as for [IdentityKey].
func UserFromContext(key any) Identifier {
	return Identifier{
		Kind: KindUser,
		HTTP: func(r *http.Request) (string, bool) { return IdentityKey(r.Context().Value(key)) },
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
			return IdentityKeyString(v[0])
		},
	}
}

// ClientIP identifies requests by client IP: the host of r.RemoteAddr
// (behind a proxy, that is the proxy's). It is the fallback of every
// identifier list.
func ClientIP() Identifier { return clientIP }

var clientIP = Identifier{
	Kind: KindIP,
	HTTP: func(r *http.Request) (string, bool) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		return IdentityKeyString(host)
	},
}

// IdentityKey turns an identity value (a user id as an earlier middleware
// stored it) into a rate-limit key: a string, any integer type or a
// [fmt.Stringer], non-empty and at most [MaxIdentityLen] bytes; ok=false
// otherwise, and the next identifier is tried. Only integers and
// Stringers allocate.
func IdentityKey(v any) (key string, ok bool) {
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
	return IdentityKeyString(s)
}

// IdentityKeyString is [IdentityKey] for a string, which it accepts if it
// is non-empty and at most MaxIdentityLen bytes, without boxing it in an
// interface (which would allocate): for identifiers that read a string on
// every request.
func IdentityKeyString(s string) (key string, ok bool) {
	if s == "" || len(s) > MaxIdentityLen {
		return "", false
	}
	return s, true
}

// identify returns the first identity the identifiers yield for r,
// falling back to the client IP.
func identify(ids []Identifier, r *http.Request) Identity {
	for i := range ids {
		if key, ok := ids[i].HTTP(r); ok {
			return Identity{Kind: ids[i].Kind, Key: key}
		}
	}
	key, ok := clientIP.HTTP(r)
	if !ok {
		key = UnknownIdentity
	}
	return Identity{Kind: KindIP, Key: key}
}

// UnknownIdentity is the key of a request whose client address cannot be
// read: all such requests share one allowance.
const UnknownIdentity = "unknown"
