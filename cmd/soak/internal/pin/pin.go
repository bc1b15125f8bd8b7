//go:build pin

// Package pin keeps the project's chosen dependencies in go.mod while the
// packages that use them are being written. It is never built (build tag
// "pin"); delete an import here once a real package imports it.
package pin

import (
	_ "github.com/HdrHistogram/hdrhistogram-go"
	_ "github.com/felixge/fgprof"
	_ "github.com/goccy/go-yaml"
	_ "github.com/google/pprof/profile"
	_ "github.com/jackc/pgx/v5/multitracer"
	_ "github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/labstack/echo/v4"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/valyala/fasthttp"
	_ "go.uber.org/goleak"
	_ "go.uber.org/ratelimit"
	_ "golang.org/x/term"
)
