package results

import (
	"net/url"
	"regexp"
	"strings"
)

// Redacted replaces a secret in anything soak writes.
const Redacted = "REDACTED"

// secretFlags are the flags whose values are secrets.
var secretFlags = map[string]bool{"probe-token": true, "token": true, "nats-token": true, "web-token": true}

// Redact returns args as one shell-quoted command line with every secret
// replaced by Redacted: values of secret flags (--probe-token X,
// --probe-token=X), passwords in URLs (postgres://u:pw@host), and the
// value of an Authorization header given as an argument.
func Redact(args []string) string {
	out := make([]string, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch {
		case strings.HasPrefix(a, "-") && secretFlags[name] && hasVal:
			out[i] = a[:len(a)-len(val)] + Redacted
		case strings.HasPrefix(a, "-") && secretFlags[name] && !hasVal:
			out[i] = a
			if i+1 < len(args) {
				i++
				out[i] = Redacted
			}
		default:
			out[i] = RedactText(a)
		}
	}
	var b strings.Builder
	for i, a := range out {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quote(a))
	}
	return b.String()
}

// natsScheme are the URL schemes of NATS servers, whose user name alone
// (nats://TOKEN@host) is a token.
var natsScheme = map[string]bool{"nats": true, "tls": true, "ws": true, "wss": true}

// urlPattern finds URLs in a text; a comma ends one, as it separates
// the servers of a NATS URL list.
var urlPattern = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>,]+`)

// RedactText removes secrets from a free text: URL passwords
// (postgres://u:pw@host becomes postgres://u:REDACTED@host) and the
// credentials of an Authorization header.
func RedactText(s string) string {
	if i := strings.Index(strings.ToLower(s), "authorization:"); i >= 0 {
		return s[:i+len("authorization:")] + " " + Redacted
	}
	return urlPattern.ReplaceAllStringFunc(s, func(raw string) string {
		u, err := url.Parse(raw)
		if err == nil && u.User != nil && natsScheme[strings.ToLower(u.Scheme)] {
			if _, has := u.User.Password(); !has {
				u.User = url.User(Redacted) // a user name alone is a NATS token
				return u.String()
			}
		}
		if err != nil || u.User == nil {
			if strings.Contains(raw, "@") && strings.Contains(raw, ":") {
				return Redacted // unparsable, maybe with credentials: drop it whole
			}
			return raw
		}
		if _, has := u.User.Password(); !has {
			return raw
		}
		u.User = url.UserPassword(u.User.Username(), Redacted)
		return u.String()
	})
}

// quote shell-quotes s when it holds anything but safe characters.
func quote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,@%+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
