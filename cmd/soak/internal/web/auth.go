package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/soaklab/soak/internal/loopback"
)

// ErrNotLoopback is returned by [Listen] for an address that is not
// loopback (an empty host, ":8089", means every interface) when the
// configuration has no token.
var ErrNotLoopback = errors.New("web: refusing to serve on a non-loopback address without a token (--web-token or $SOAK_WEB_TOKEN)")

// cookieName holds the token once the page was opened with ?token=.
const cookieName = "soak_web_token"

// csrfHeader carries the page's CSRF token on every POST.
const csrfHeader = "X-Soak-CSRF"

// newSecret returns 32 random bytes in hex.
func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// authorized reports whether r carries the token: "Authorization:
// Bearer T", the cookie, or ?token=T. Always true without a token.
func (s *Server) authorized(r *http.Request) bool {
	if s.cfg.Token == "" {
		return true
	}
	if a, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && equal(a, s.cfg.Token) {
		return true
	}
	if c, err := r.Cookie(cookieName); err == nil && equal(c.Value, s.cfg.Token) {
		return true
	}
	if q := r.URL.Query().Get("token"); q != "" && equal(q, s.cfg.Token) {
		return true
	}
	return false
}

// hostAllowed guards a token-less (loopback) server against DNS
// rebinding: a page of another site whose name now resolves to
// 127.0.0.1 reaches the server with its own name in Host.
func (s *Server) hostAllowed(r *http.Request) bool {
	if s.cfg.Token != "" {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return loopback.Host(host)
}

// sameOrigin checks a POST's Origin (when the browser sent one) against
// the Host it was sent to, and refuses a cross-site fetch metadata.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true // not a browser's cross-origin request; the CSRF token still applies
	}
	u, err := url.Parse(o)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && strings.EqualFold(u.Host, r.Host)
}
