package demo

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// tokenTTL is how long a login token stays valid.
const tokenTTL = 24 * time.Hour

// tokens issues and checks bearer tokens of the form
// "v1.<user id>.<expiry, unix seconds>.<HMAC-SHA256, base64url>". The key is
// random per Service, so tokens do not survive a restart, and nothing is
// stored per login: a soak that logs in on every iteration does not grow
// the heap. Safe for concurrent use.
type tokens struct {
	key []byte
	now func() time.Time
}

func newTokens(now func() time.Time) (*tokens, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return &tokens{key: key, now: now}, nil
}

func (t *tokens) sign(payload string) string {
	mac := hmac.New(sha256.New, t.key)
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// issue returns a token for user id.
func (t *tokens) issue(id int64) string {
	payload := "v1." + strconv.FormatInt(id, 10) + "." + strconv.FormatInt(t.now().Add(tokenTTL).Unix(), 10)
	return payload + "." + t.sign(payload)
}

// check returns the user id of a valid, unexpired token.
func (t *tokens) check(token string) (int64, bool) {
	i := strings.LastIndexByte(token, '.')
	if i < 0 || !strings.HasPrefix(token, "v1.") {
		return 0, false
	}
	payload, sig := token[:i], token[i+1:]
	if !hmac.Equal([]byte(sig), []byte(t.sign(payload))) {
		return 0, false
	}
	idText, expText, ok := strings.Cut(payload[len("v1."):], ".")
	if !ok {
		return 0, false
	}
	id, err1 := strconv.ParseInt(idText, 10, 64)
	exp, err2 := strconv.ParseInt(expText, 10, 64)
	if err1 != nil || err2 != nil || id < 1 || t.now().Unix() >= exp {
		return 0, false
	}
	return id, true
}

// userKey is where authenticate leaves the user id, both in the echo
// context (c.Get(userKey)) and in the request context (UserID).
const userKey = "demo.user"

type userCtxKey struct{}

// UserID returns the authenticated user id that the demo's auth middleware
// stored in ctx, if any. The rate limiter uses it as the identity.
func UserID(ctx context.Context) (int64, bool) {
	id, ok := ctx.Value(userCtxKey{}).(int64)
	return id, ok
}

// authenticate reads "Authorization: Bearer <token>" and, when the token is
// valid, records the user id. It never rejects: requireUser does, on the
// routes that need a user, so that public routes ignore a stale token.
func (t *tokens) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		if token, ok := strings.CutPrefix(h, "Bearer "); ok {
			if id, ok := t.check(strings.TrimSpace(token)); ok {
				c.Set(userKey, id)
				r := c.Request()
				c.SetRequest(r.WithContext(context.WithValue(r.Context(), userCtxKey{}, id)))
			}
		}
		return next(c)
	}
}

// requireUser answers 401 unless authenticate found a valid token.
func requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := c.Get(userKey).(int64); !ok {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="soak-demo"`)
			return echo.NewHTTPError(http.StatusUnauthorized, "missing, invalid or expired bearer token")
		}
		return next(c)
	}
}

// currentUser returns the id requireUser let through.
func currentUser(c echo.Context) int64 {
	id, _ := c.Get(userKey).(int64)
	return id
}
