package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
	"github.com/soaklab/soak/internal/testenv"
)

// backend names a storage configuration the contract tests run against.
type backend struct {
	name string
	cfg  func(t *testing.T) Config
}

var backends = []backend{
	{"memory", func(t *testing.T) Config { return Config{} }},
	{"postgres+redis", func(t *testing.T) Config { return pgConfig(t, true) }},
}

// pgConfig returns a Config on the test PostgreSQL (and Redis, if
// withRedis) in a fresh schema that t's cleanup drops with its Redis keys.
func pgConfig(t testing.TB, withRedis bool) Config {
	t.Helper()
	cfg := Config{DatabaseURL: testenv.DatabaseURL(t), Schema: testenv.Name(t)}
	if withRedis {
		cfg.RedisURL = testenv.RedisURL(t)
	}
	t.Cleanup(func() { dropSchema(t, cfg) })
	return cfg
}

// dropSchema removes what a Service made for cfg: the schema and the Redis
// keys under its prefix.
func dropSchema(t testing.TB, cfg Config) {
	t.Helper()
	if err := removeSchema(cfg); err != nil {
		t.Error(err)
	}
}

// removeSchema drops cfg's schema and deletes the Redis keys under its
// prefix, if cfg has Redis.
func removeSchema(cfg Config) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("drop schema %s: %w", cfg.Schema, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{cfg.Schema}.Sanitize()+" CASCADE"); err != nil {
		return fmt.Errorf("drop schema %s: %w", cfg.Schema, err)
	}
	if cfg.RedisURL == "" {
		return nil
	}
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return err
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	iter := rdb.Scan(ctx, 0, cfg.Schema+":*", 500).Iterator()
	for iter.Next(ctx) {
		rdb.Del(ctx, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("delete redis keys %s:*: %w", cfg.Schema, err)
	}
	return nil
}

// sharedSeed is one seeded schema, without Redis, for the tests that only
// read the seed (they log in, read stories, shelves and searches, and
// plant faults that hold connections of their own service's pool): the
// first service started on it seeds it, the rest find it seeded, which
// saves a seed of several seconds per test. TestMain drops it after the
// tests. A test that writes (a story, a whisper) or counts Redis keys
// takes its own schema from pgConfig.
var sharedSeed struct {
	mu  sync.Mutex
	cfg Config // zero until a test asks for it
}

// sharedSeedConfig returns a Config on the shared seeded schema, or skips
// (fails, with SOAK_REQUIRE_SERVICES=1) t without PostgreSQL.
func sharedSeedConfig(t *testing.T) Config {
	t.Helper()
	url := testenv.DatabaseURL(t)
	sharedSeed.mu.Lock()
	defer sharedSeed.mu.Unlock()
	if sharedSeed.cfg.Schema == "" {
		sharedSeed.cfg = Config{DatabaseURL: url, Schema: testenv.Name(t)}
	}
	return sharedSeed.cfg
}

// dropSharedSeed drops the shared schema, if a test made it.
func dropSharedSeed() error {
	sharedSeed.mu.Lock()
	defer sharedSeed.mu.Unlock()
	if sharedSeed.cfg.Schema == "" {
		return nil
	}
	return removeSchema(sharedSeed.cfg)
}

// startService runs a Service for cfg behind a loopback httptest server,
// both stopped in t.Cleanup.
func startService(t *testing.T, cfg Config) (*Service, *client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := New(ctx, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, &client{t: t, base: srv.URL, http: srv.Client()}
}

// client sends JSON requests to a test server.
type client struct {
	t     *testing.T
	base  string
	http  *http.Client
	token string
	xff   string // X-Forwarded-For to send, if any
}

// response is a decoded reply.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// decode unmarshals the body into v, failing the test on error.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// errorText returns the "error" field of a JSON error body.
func (r response) errorText(t *testing.T) string {
	t.Helper()
	var e struct{ Error string }
	r.decode(t, &e)
	return e.Error
}

func (c *client) do(method, path string, body any) response {
	c.t.Helper()
	return c.doWith(method, path, body, nil)
}

// getJSON sends a GET, expects status and decodes the body into v.
func (c *client) getJSON(path string, status int, v any) response {
	c.t.Helper()
	r := c.do("GET", path, nil)
	expect(c.t, r, status)
	r.decode(c.t, v)
	return r
}

// doWith is do with extra headers, which replace the client's.
func (c *client) doWith(method, path string, body any, hdr http.Header) response {
	c.t.Helper()
	var rd io.Reader
	if s, ok := body.(string); ok {
		rd = strings.NewReader(s)
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.xff != "" {
		req.Header.Set("X-Forwarded-For", c.xff)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// login logs in as a seeded user and keeps the token; it returns a copy.
func (c *client) login(username string) *client {
	c.t.Helper()
	r := c.do("POST", "/api/auth/login", map[string]string{"username": username, "password": SeedPassword})
	if r.Status != http.StatusOK {
		c.t.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
	var out loginResponse
	r.decode(c.t, &out)
	cc := *c
	cc.token = out.Token
	return &cc
}

// expect fails the test unless r has the status.
func expect(t *testing.T, r response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
}
