//go:build pin

// Package pin keeps the project's chosen dependencies in go.mod while the
// packages that use them are being written. It is never built (build tag
// "pin"); delete an import here once a real package imports it, and the
// package once none is left.
//
// Every other chosen module is imported by real code now. fasthttp stays
// pinned: the engine measured it against its own HTTP/1.1 client and
// imports neither yet; drop it (here and in go.mod) if it never does.
package pin

import (
	_ "github.com/valyala/fasthttp"
)
