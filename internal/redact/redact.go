package redact

import (
	"regexp"
	"strings"
)

// Mark replaces every secret removed.
const Mark = "REDACTED"

// secretKey matches a key (of a DSN, a URL query or a JSON object) whose
// value is a secret: password, sslpassword, passwd, pwd, token,
// access_token, api_key, apikey, secret, client_secret, credential(s),
// and any key ending in one of them (--probe-token, db_password).
var secretKey = regexp.MustCompile(`(?i)^[a-z0-9_.-]*` + secretWords + `$`)

// secretWords are the words that make a key a secret's: the one list both
// IsSecretKey (the key ends in one) and NamesSecret (the key holds one)
// read.
const secretWords = `(password|passwd|pwd|passphrase|token|secret|api[_-]?key|credentials?)`

// namesSecret matches a name holding a secret word anywhere, or naming a
// DSN or an auth setting, whose value carries credentials.
var namesSecret = regexp.MustCompile(`(?i)` + secretWords + `|dsn|auth`)

// queryKey matches the further keys that are secrets in a URL's query
// (a signed URL's sig, an API's key, NATS's auth).
var queryKey = regexp.MustCompile(`(?i)^(auth|key|sig|signature)$`)

// IsSecretKey reports whether a key/value pair's key (a DSN's
// "password", a query's "access_token", a config key "db_password")
// names a secret.
func IsSecretKey(key string) bool {
	return secretKey.MatchString(strings.Trim(key, `"' `))
}

// NamesSecret reports whether a setting's name mentions a secret anywhere
// ("db_password_file", "REDIS_DSN", "auth_header"): the stricter rule for
// names whose whole value is kept, such as a service's reported
// configuration, where a false alarm costs one hidden value.
func NamesSecret(name string) bool {
	return namesSecret.MatchString(name)
}

var (
	// urlPattern finds URLs; a URL ends at white space, a quote or <>.
	urlPattern = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+`)
	// pairPattern finds key=value pairs (libpq DSN, URL query, flags
	// --token=x) of a secret key (see secretKey). The value is quoted
	// ('p w', with \' escapes, to the end when unterminated; "p w") or
	// runs to white space, & or ".
	pairPattern = regexp.MustCompile(`(?i)(^|[^a-z0-9_.-])([a-z0-9_.-]*(?:password|passwd|pwd|passphrase|token|secret|api[_-]?key|credentials?))(\s*=\s*)('(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?|[^\s&"]*)`)
	// labelPattern finds a password labelled with a colon (YAML,
	// "password: x" in a message); a token's label is not enough, as
	// "invalid token: the probe answered 401" is prose.
	labelPattern = regexp.MustCompile(`(?i)(^|[^a-z0-9_.-])([a-z0-9_.-]*(?:password|passwd|pwd|passphrase))(:[ \t]*)('(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?|[^\s&"]+)`)
	// jsonPattern finds "key": "value" pairs.
	jsonPattern = regexp.MustCompile(`("[A-Za-z0-9_.-]+")(\s*:\s*)("(?:[^"\\]|\\.)*"?)`)
	// authPattern finds an Authorization header's value: an optional
	// scheme and the credentials.
	authPattern = regexp.MustCompile(`(?i)(authorization"?\s*[:=]\s*"?)((?:bearer|basic|token|digest|negotiate|apikey)\s+)?([^\s"',;]+)`)
	// bearerPattern finds "Bearer X" outside a header name.
	bearerPattern = regexp.MustCompile(`(\b[Bb]earer\s+)([^\s"',;]+)`)
)

// natsSchemes are the URL schemes whose user name alone is a token.
var natsSchemes = map[string]bool{"nats": true, "tls": true, "ws": true, "wss": true}

// proseWords are words that follow "Bearer" in prose rather than a
// credential: "a Bearer token", "the bearer scheme".
var proseWords = map[string]bool{"token": true, "tokens": true, "header": true, "scheme": true, "auth": true,
	"authentication": true, "credentials": true, "prefix": true, "the": true, "a": true, "an": true, "and": true,
	"or": true, "in": true, "is": true, "of": true, "with": true, "REDACTED": true}

// Text returns s with every secret it recognises replaced by [Mark]:
// URL passwords and secret query values, key/value DSN passwords (quoted
// or not), Authorization and bearer credentials. A secret flag's value
// given as the next word (--probe-token T) is recognised in a command
// line only: see [Args]. Text of any other shape comes back unchanged.
func Text(s string) string {
	if s == "" {
		return s
	}
	if strings.Contains(s, "://") {
		s = urlPattern.ReplaceAllStringFunc(s, func(u string) string {
			// Punctuation ending a URL in prose is not part of it.
			trimmed := strings.TrimRight(u, ".,:;)]}")
			return URL(trimmed) + u[len(trimmed):]
		})
	}
	low := strings.ToLower(s)
	if strings.Contains(low, "authorization") {
		s = replaceSubmatch(authPattern, s, func(m []string) string {
			if m[3] == Mark {
				return m[0]
			}
			return m[1] + m[2] + Mark
		})
	}
	if strings.Contains(low, "bearer") {
		s = replaceSubmatch(bearerPattern, s, func(m []string) string {
			if proseWords[strings.ToLower(m[2])] || proseWords[m[2]] {
				return m[0]
			}
			return m[1] + Mark
		})
	}
	if strings.Contains(s, `":`) {
		s = replaceSubmatch(jsonPattern, s, func(m []string) string {
			if !IsSecretKey(m[1]) || strings.HasPrefix(m[3], `"`+Mark) {
				return m[0]
			}
			return m[1] + m[2] + `"` + Mark + `"`
		})
	}
	if strings.Contains(s, "=") {
		s = redactPairs(s)
	}
	if strings.Contains(s, ":") {
		s = replaceSubmatch(labelPattern, s, func(m []string) string {
			if strings.HasPrefix(strings.TrimLeft(m[4], `'"`), Mark) {
				return m[0]
			}
			return m[1] + m[2] + m[3] + quoted(m[4])
		})
	}
	return s
}

// redactPairs redacts the values of secret keys in key=value pairs,
// wherever they are (inside another pair's quoted value too).
func redactPairs(s string) string {
	return replaceSubmatch(pairPattern, s, func(m []string) string {
		if strings.HasPrefix(strings.TrimLeft(m[4], `'"`), Mark) {
			return m[0]
		}
		return m[1] + m[2] + m[3] + quoted(m[4])
	})
}

// quoted is Mark in the quotes value had; an unquoted value keeps a
// closing parenthesis it does not open ("(password=x)").
func quoted(value string) string {
	if value != "" && (value[0] == '\'' || value[0] == '"') {
		return string(value[0]) + Mark + string(value[0])
	}
	if strings.HasSuffix(value, ")") && strings.Count(value, "(") < strings.Count(value, ")") {
		return Mark + ")"
	}
	return Mark
}

// Error returns err's message without surrounding space and without
// secrets; "" for nil.
func Error(err error) string {
	if err == nil {
		return ""
	}
	return Text(strings.TrimSpace(err.Error()))
}

// URL returns one URL (or a comma-separated list of URLs, as NATS
// takes) without its secrets: the password of its userinfo, a NATS
// URL's user name alone (a token), and the values of secret query
// parameters (?password=, ?sslpassword=, ?token=, ?access_token=,
// ?api_key=, ...). It works on the text, so a URL that does not parse
// is redacted too.
func URL(raw string) string {
	var b strings.Builder
	for {
		i := nextURL(raw)
		if i < 0 {
			b.WriteString(oneURL(raw))
			return b.String()
		}
		b.WriteString(oneURL(raw[:i]))
		b.WriteByte(',')
		raw = raw[i+1:]
	}
}

// nextURL is the index of the first comma in s followed by another URL
// (scheme://), or -1.
func nextURL(s string) int {
	for off := 0; ; {
		i := strings.IndexByte(s[off:], ',')
		if i < 0 {
			return -1
		}
		if schemeStart.MatchString(s[off+i+1:]) {
			return off + i
		}
		off += i + 1
	}
}

var schemeStart = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// oneURL redacts one URL.
func oneURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	// The authority ends at the first /, ? or #, unless an '@' follows
	// before any ? or # and a ':' precedes it: a password holding an
	// unescaped '/' (postgres://u:p/w@h/db).
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if !strings.Contains(rest[:end], "@") {
		stop := strings.IndexAny(rest, "?#")
		if stop < 0 {
			stop = len(rest)
		}
		if at := strings.LastIndex(rest[:stop], "@"); at > end && strings.Contains(rest[:at], ":") {
			end = at + 1
			if e := strings.IndexAny(rest[end:], "/?#"); e >= 0 {
				end += e
			} else {
				end = len(rest)
			}
		}
	}
	authority, tail := redactAuthority(scheme, rest[:end]), rest[end:]
	if q := strings.IndexByte(tail, '?'); q >= 0 {
		tail = tail[:q+1] + redactQuery(tail[q+1:])
	}
	return scheme + "://" + authority + tail
}

// redactAuthority redacts the userinfo of an authority.
func redactAuthority(scheme, authority string) string {
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return authority
	}
	user, host := authority[:at], authority[at:]
	if name, pw, has := strings.Cut(user, ":"); has {
		if pw == Mark {
			return authority
		}
		return name + ":" + Mark + host
	}
	if natsSchemes[strings.ToLower(scheme)] && user != Mark {
		return Mark + host
	}
	return authority
}

// redactQuery redacts the values of secret keys in a URL query (up to a
// '#').
func redactQuery(q string) string {
	frag := ""
	if i := strings.IndexByte(q, '#'); i >= 0 {
		q, frag = q[:i], q[i:]
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		k, v, has := strings.Cut(p, "=")
		if has && v != Mark && (IsSecretKey(k) || queryKey.MatchString(k)) {
			parts[i] = k + "=" + Mark
		}
	}
	return strings.Join(parts, "&") + frag
}

// replaceSubmatch is ReplaceAllStringFunc with the submatches.
func replaceSubmatch(re *regexp.Regexp, s string, f func([]string) string) string {
	idx := re.FindAllStringSubmatchIndex(s, -1)
	if idx == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range idx {
		b.WriteString(s[last:m[0]])
		sub := make([]string, len(m)/2)
		for j := range sub {
			if m[2*j] >= 0 {
				sub[j] = s[m[2*j]:m[2*j+1]]
			}
		}
		b.WriteString(f(sub))
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// Values is [Text] after replacing each secret the caller knows (a
// token, a password it parsed) wherever it appears in s: an error may
// quote one alone. Empty secrets are ignored.
func Values(s string, secrets ...string) string {
	for _, v := range secrets {
		if v != "" {
			s = strings.ReplaceAll(s, v, Mark)
		}
	}
	return Text(s)
}
