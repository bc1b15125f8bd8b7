// Package testenv gives tests the real PostgreSQL, Redis and NATS (with
// JetStream) servers of the machine they run on, and decides what a test does when one is missing:
// skip by default, fail when SOAK_REQUIRE_SERVICES=1 (as .ci/run sets it).
//
// Addresses come from SOAK_TEST_DATABASE_URL (default
// postgres://root@127.0.0.1:5432/test?sslmode=disable),
// SOAK_TEST_REDIS_URL (default redis://127.0.0.1:6379/0) and
// SOAK_TEST_NATS_URL (default nats://127.0.0.1:4222). All must be
// loopback: tests never send traffic anywhere else.
//
// Tests that create tables, keys or streams name them with [Name] and
// drop them in t.Cleanup, so runs on one server do not see each other's
// data.
package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/internal/loopback"
)

// Default service addresses, used when the environment names none.
const (
	DefaultDatabaseURL = "postgres://root@127.0.0.1:5432/test?sslmode=disable"
	DefaultRedisURL    = "redis://127.0.0.1:6379/0"
	DefaultNATSURL     = "nats://127.0.0.1:4222"
)

// Required reports whether SOAK_REQUIRE_SERVICES=1: a test that needs a
// service then fails instead of skipping when the service does not answer.
func Required() bool { return os.Getenv("SOAK_REQUIRE_SERVICES") == "1" }

// Long reports whether SOAK_LONG=1: the minutes-long soak tests run only
// then (.ci/run sets it; a plain `go test ./...` stays short).
func Long() bool { return os.Getenv("SOAK_LONG") == "1" }

// SkipUnlessLong skips t unless [Long].
func SkipUnlessLong(t testing.TB) {
	t.Helper()
	if !Long() {
		t.Skip("long soak test: set SOAK_LONG=1 to run it")
	}
}

// DatabaseURL returns the PostgreSQL URL for tests after checking that the
// server accepts TCP connections; it skips or fails t when it does not.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	return service(t, "SOAK_TEST_DATABASE_URL", DefaultDatabaseURL, "5432")
}

// RedisURL returns the Redis URL for tests after checking that the server
// accepts TCP connections; it skips or fails t when it does not.
func RedisURL(t testing.TB) string {
	t.Helper()
	return service(t, "SOAK_TEST_REDIS_URL", DefaultRedisURL, "6379")
}

// NATSURL returns the URL of the NATS server (run with JetStream, as
// `nats-server -js`) for tests after checking that it accepts TCP
// connections; it skips or fails t when it does not.
func NATSURL(t testing.TB) string {
	t.Helper()
	return service(t, "SOAK_TEST_NATS_URL", DefaultNATSURL, "4222")
}

func service(t testing.TB, env, def, port string) string {
	t.Helper()
	raw := os.Getenv(env)
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("testenv: %s is not a URL", env)
	}
	host := u.Hostname()
	if !loopback.Host(host) {
		t.Fatalf("testenv: %s must name a loopback host, not %q", env, host)
	}
	if u.Port() != "" {
		port = u.Port()
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(host, port), 2*time.Second)
	if err != nil {
		msg := "testenv: " + strings.SplitN(u.Scheme, ":", 2)[0] + " at " + net.JoinHostPort(host, port) + " does not answer (" + err.Error() + ")"
		if Required() {
			t.Fatal(msg + "; SOAK_REQUIRE_SERVICES=1 forbids skipping")
		}
		t.Skip(msg)
	}
	conn.Close()
	return raw
}

// Name returns a fresh identifier such as "soaktest_3f9a1c2e" for a table,
// schema or key prefix that a test creates and must remove in t.Cleanup.
func Name(t testing.TB) string {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "soaktest_" + hex.EncodeToString(b[:])
}
