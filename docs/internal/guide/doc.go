// Package guide holds the Go code of the user guide (docs/) that no other
// package's examples hold: the Go snippets of docs/scenarios-in-go.md are
// checked against these examples, which go test compiles and runs against
// real HTTP on loopback.
//
//	go test ./docs/internal/guide
//
// It has no API of its own.
package guide
