package bounds

import "github.com/goccy/go-yaml/ast"

// The bounds on reading a scenario. A scenario may come from a pull
// request that CI validates, so a small file must not exhaust memory or
// time: each bound is checked before or while the input is read, and a
// file past one is refused with the line and column where it was crossed.
// docs/scenarios.md#limits lists them for users; docs/performance.md
// measures the largest file they accept.
const (
	// MaxFileBytes bounds a scenario file, from its size before a byte is
	// read.
	MaxFileBytes = 4 << 20

	// MaxDepth bounds nesting, collections in collections, flow ([, {)
	// and block (indentation, "- - -") alike, counted before the YAML
	// parser runs: goccy/go-yaml keeps each node's path, so its memory
	// grows with depth times nodes (depth 30,000 took 1.4 GB). A json:
	// body's own bound, MaxJSONDepth, fits well within.
	MaxDepth = 100

	// MaxTokens bounds the YAML tokens (scalars; the indicators - ? : ,
	// [ ] { }; anchors, aliases and tags; comments), counted before the
	// parser runs, which keeps about 500 bytes per token (a 4 MiB list of
	// one-digit numbers took 2 GB).
	MaxTokens = 250_000

	// MaxBlockKeys bounds the keys of one block mapping (a key per line):
	// the parser's time is quadratic in them (200,000 keys took 90 s).
	// Flow mappings ({a: 1, b: 2}, JSON's syntax) are parsed in linear
	// time and have no bound of their own.
	MaxBlockKeys = 1_000

	// MaxPathBytes bounds the sum over the nodes of the length of each
	// node's path (the keys and indices above it), counted before the
	// parser runs, which stores every path: a 100 KB key above 10,000
	// list items took 1 GB.
	MaxPathBytes = 32 << 20

	// MaxNodes bounds the nodes (scalars, keys, lists and mappings) with
	// every alias expanded, counted after parsing and before decoding: an
	// alias bomb is refused at the alias that crosses the bound, never
	// expanded.
	MaxNodes = 100_000

	// MaxExpandedBytes bounds what decoding materializes with aliases
	// expanded: the bytes of the scalars and of each node's field path.
	// Without aliases a file that passes MaxFileBytes and MaxPathBytes
	// stays well below it.
	MaxExpandedBytes = 64 << 20

	// MaxJSONDepth bounds the nesting of a json: body.
	MaxJSONDepth = 64

	// MaxPickItems bounds an inline pick: list.
	MaxPickItems = 100_000

	// MaxDataBytes bounds the data files (csv:) of a scenario together,
	// from their sizes before they are read; MaxDataRows bounds the rows
	// of one CSV file. A mistaken path (a log, a dump) fails clearly
	// instead of exhausting memory.
	MaxDataBytes = 64 << 20
	MaxDataRows  = 1_000_000

	// MaxProblems bounds the problems reported for one file; one more
	// says how many were left out.
	MaxProblems = 100

	// MaxMessageBytes bounds a problem's message and field path: what
	// they quote of the file is a short, escaped excerpt.
	MaxMessageBytes = 240
)

// Crossing is the first bound a scenario crossed: what it says, and
// where. [Prescan] places it by line and column; [ExpandAliases] by the
// node at which its count crossed the bound, which the caller places as
// it places every node.
type Crossing struct {
	Line, Column int      // 1-based; Prescan's only
	Node         ast.Node // ExpandAliases' only
	Msg          string   // lowercase, names the bound; never quotes the file
}
