package demo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"
	"github.com/redis/go-redis/v9"

	"github.com/soaklab/soak/middleware"
	"github.com/soaklab/soak/middleware/echoprobe"
	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/pgxprobe"
	"github.com/soaklab/soak/probe/redisprobe"
)

// Service is the demo service: an echo instance over its storage, with the
// planted faults of its Config. Create it with [New]; serve [Service.Handler]
// (or use [Listen]); end it with [Service.Close]. Safe for concurrent use.
type Service struct {
	cfg      Config
	echo     *echo.Echo
	api      *api
	rdb      *redis.Client          // nil without Redis
	limiter  *echoprobe.RateLimiter // nil when Config.RateLimitPerMinute is -1
	closeErr error
	once     sync.Once
}

// New builds a Service. With Config.DatabaseURL it connects to PostgreSQL
// and creates the schema and seed data if absent (idempotent; ctx bounds
// this work); with Config.RedisURL it connects to Redis and checks it
// answers. Errors name the Config field at fault and never show a password.
func New(ctx context.Context, cfg Config) (*Service, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	set, err := parseFaults(cfg.Faults, cfg.DatabaseURL != "")
	if err != nil {
		return nil, err
	}
	tok, err := newTokens(cfg.clock)
	if err != nil {
		return nil, fmt.Errorf("demo: token key: %w", err)
	}
	a := &api{
		tokens: tok, pages: newPageCache(cfg.PageCacheSize, cfg.PageCacheTTL, cfg.Probe, pageCacheName),
		faults: newFaultState(set), storage: "memory", cache: "none", now: cfg.clock,
	}
	s := &Service{cfg: cfg, api: a}
	if err := s.openStorage(ctx, set); err != nil {
		return nil, err
	}
	a.whispers = newWhisperPool(a.store, cfg.WhisperWorkers, cfg.Logger)
	if cfg.RateLimitPerMinute > 0 {
		s.limiter, err = echoprobe.NewRateLimiter(echoprobe.RateLimitConfig{
			Probe:    cfg.Probe,
			Policy:   middleware.PerMinute(cfg.RateLimitPerMinute),
			Identity: []echoprobe.Identifier{echoprobe.User(userKey)},
			Skipper:  isHealthCheck,
			Now:      cfg.clock,
		})
		if err != nil {
			a.store.close()
			return nil, fmt.Errorf("%w: Config.RateLimitPerMinute: %w", ErrConfig, err)
		}
	} else {
		cfg.Probe.SetConfig(probe.ConfigRateLimit, "off")
	}
	s.echo = s.routes()
	s.reportConfig()
	return s, nil
}

// Probe returns the probe the service records into (Config.Probe, or the
// one New made).
func (s *Service) Probe() *probe.Probe { return s.cfg.Probe }

// openStorage sets a.store: memory or PostgreSQL, behind Redis if asked.
func (s *Service) openStorage(ctx context.Context, set faultSet) error {
	cfg, a := s.cfg, s.api
	if cfg.DatabaseURL == "" {
		a.store = newMemStore()
	} else {
		pcfg, err := s.poolConfig(set)
		if err != nil {
			return err
		}
		// The probe's tracer goes beside the service's own, through
		// multitracer, before the pool exists.
		pcfg.ConnConfig.Tracer = slowQueryLog{log: cfg.Logger}
		tracer := pgxprobe.New(cfg.Probe, "main", pcfg, pgxprobe.WithStatActivity())
		pg, err := newPGStore(ctx, pcfg, cfg.Schema)
		if err != nil {
			return secretFree(err, cfg.DatabaseURL)
		}
		tracer.Observe(pg.pool)
		if set.poolExhausted {
			pg.searchHold = SearchHold
		}
		a.store, a.pool, a.storage = pg, pg.pool, "postgres"
	}
	if cfg.RedisURL == "" {
		return nil
	}
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		a.store.close()
		return secretFree(fmt.Errorf("%w: Config.RedisURL: %w", ErrConfig, err), cfg.RedisURL)
	}
	rdb := redis.NewClient(opts)
	redisprobe.New(cfg.Probe, "redis", rdb)
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		a.store.close()
		return secretFree(fmt.Errorf("demo: Redis at %s does not answer: %w", opts.Addr, err), cfg.RedisURL)
	}
	s.rdb = rdb
	a.store = &redisCache{store: a.store, rdb: rdb, prefix: cfg.Schema + ":", log: cfg.Logger}
	a.cache = "redis"
	return nil
}

// poolConfig parses Config.DatabaseURL and sizes the pool.
func (s *Service) poolConfig(set faultSet) (*pgxpool.Config, error) {
	pcfg, err := pgxpool.ParseConfig(s.cfg.DatabaseURL)
	if err != nil {
		return nil, secretFree(fmt.Errorf("%w: Config.DatabaseURL: %w", ErrConfig, err), s.cfg.DatabaseURL)
	}
	switch {
	case s.cfg.PoolMaxConns > 0:
		pcfg.MaxConns = s.cfg.PoolMaxConns
	case !strings.Contains(s.cfg.DatabaseURL, "pool_max_conns"):
		pcfg.MaxConns = DefaultPoolMaxConns
	}
	if set.poolExhausted {
		pcfg.MaxConns = min(pcfg.MaxConns, ExhaustedPoolMaxConns)
	}
	pcfg.MinConns = 0
	return pcfg, nil
}

// routes builds the echo instance.
func (s *Service) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	// Behind a proxy on this machine: trust X-Forwarded-For from loopback
	// peers only, so a load generator can give each virtual user its own
	// address for the per-IP limit.
	e.IPExtractor = echo.ExtractIPFromXFFHeader(echo.TrustLinkLocal(false), echo.TrustPrivateNet(false))
	// Route timing first (outermost after routing), then Recover, so that
	// a panic is recorded as a 500; the limiter after authentication, so
	// that it sees the user id.
	e.Use(echoprobe.MiddlewareWithConfig(echoprobe.MiddlewareConfig{
		Probe: s.cfg.Probe, Labels: middleware.LabelAll, HandleError: true,
	}))
	e.Use(echomw.Recover())
	e.Use(echomw.ContextTimeout(s.cfg.RequestTimeout))
	e.Use(s.api.tokens.authenticate)
	if s.limiter != nil {
		e.Use(s.limiter.Middleware())
	}

	a := s.api
	e.GET("/health", a.health)
	e.GET("/health/ready", a.ready)
	e.POST("/api/auth/login", a.login)
	e.GET("/api/discovery/trending", a.trending)
	e.GET("/api/stories/:slug", a.story)
	e.GET("/api/search/stories", a.search)
	e.GET("/api/users/me", a.me, requireUser)
	e.GET("/api/stories/mine", a.mine, requireUser)
	e.POST("/api/stories", a.createStory, requireUser)
	e.GET("/api/library/shelves", a.shelves, requireUser)
	e.POST("/api/whispers", a.createWhisper, requireUser)
	return e
}

// isHealthCheck exempts /health and /health/ready from the rate limit, as
// load balancers and orchestrators poll them from one address.
func isHealthCheck(c echo.Context) bool {
	p := c.Path()
	return p == "/health" || p == "/health/ready"
}

// handleError writes every error as {"error": "..."} with its status. The
// cause of a 5xx is logged, not sent.
func (s *Service) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, msg := http.StatusInternalServerError, "internal error"
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code = he.Code
		if m, ok := he.Message.(string); ok {
			msg = m
		} else {
			msg = http.StatusText(code)
		}
	}
	if code >= 500 {
		s.cfg.Logger.Warn("demo: request failed", "method", c.Request().Method, "route", c.Path(),
			"status", code, "err", err)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(code)
		return
	}
	_ = c.JSON(code, map[string]string{"error": msg})
}

// Handler returns the service's HTTP handler (the echo instance).
func (s *Service) Handler() http.Handler { return s.echo }

// Close stops the whisper workers and the leaked goroutines of the
// goroutine-leak fault, releases the connections of the conn-leak fault,
// closes the probe's monitoring connections (Probe.Close; the probe keeps
// its figures) and closes the pool and the Redis client. Call it after the HTTP server
// has stopped: the pool waits for connections still held by requests,
// for as long as ctx allows. Close is idempotent.
func (s *Service) Close(ctx context.Context) error {
	s.once.Do(func() {
		s.api.whispers.close()
		s.api.faults.close()
		if err := s.cfg.Probe.Close(); err != nil {
			s.cfg.Logger.Warn("demo: close the probe's monitoring connections", "err", err)
		}
		done := make(chan struct{})
		go func() {
			s.api.store.close()
			close(done)
		}()
		select {
		case <-done:
		case <-ctx.Done():
			s.closeErr = fmt.Errorf("demo: close: storage still busy: %w", ctx.Err())
		}
	})
	return s.closeErr
}

// secretFree returns err with the password of rawURL, or rawURL itself,
// masked in its message; errors.Is and errors.As still see the chain.
func secretFree(err error, rawURL string) error {
	secrets := []string{rawURL}
	if u, perr := url.Parse(rawURL); perr == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			secrets = append(secrets, pw, url.QueryEscape(pw))
		}
	}
	return &redactedError{msg: redact(err.Error(), secrets...), err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
