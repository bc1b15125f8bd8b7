package scenario

// The bounds on reading a scenario. A scenario may come from a pull
// request that CI validates, so a small file must not exhaust memory or
// time: each bound is checked before or while the input is read, and a
// file past one is refused with the line and column where it was crossed.
// docs/scenarios.md#limits lists them for users; docs/performance.md
// measures the largest file they accept.
const (
	// maxFileBytes bounds a scenario file, from its size before a byte is
	// read.
	maxFileBytes = 4 << 20

	// maxDepth bounds nesting, collections in collections, flow ([, {)
	// and block (indentation, "- - -") alike, counted before the YAML
	// parser runs: goccy/go-yaml keeps each node's path, so its memory
	// grows with depth times nodes (depth 30,000 took 1.4 GB). A json:
	// body's own bound, maxJSONDepth, fits well within.
	maxDepth = 100

	// maxTokens bounds the YAML tokens (scalars; the indicators - ? : ,
	// [ ] { }; anchors, aliases and tags; comments), counted before the
	// parser runs, which keeps about 500 bytes per token (a 4 MiB list of
	// one-digit numbers took 2 GB).
	maxTokens = 250_000

	// maxBlockKeys bounds the keys of one block mapping (a key per line):
	// the parser's time is quadratic in them (200,000 keys took 90 s).
	// Flow mappings ({a: 1, b: 2}, JSON's syntax) are parsed in linear
	// time and have no bound of their own.
	maxBlockKeys = 1_000

	// maxPathBytes bounds the sum over the nodes of the length of each
	// node's path (the keys and indices above it), counted before the
	// parser runs, which stores every path: a 100 KB key above 10,000
	// list items took 1 GB.
	maxPathBytes = 32 << 20

	// maxNodes bounds the nodes (scalars, keys, lists and mappings) with
	// every alias expanded, counted after parsing and before decoding: an
	// alias bomb is refused at the alias that crosses the bound, never
	// expanded.
	maxNodes = 100_000

	// maxExpandedBytes bounds what decoding materializes with aliases
	// expanded: the bytes of the scalars and of each node's field path.
	// Without aliases a file that passes maxFileBytes and maxPathBytes
	// stays well below it.
	maxExpandedBytes = 64 << 20

	// maxJSONDepth bounds the nesting of a json: body.
	maxJSONDepth = 64

	// maxPickItems bounds an inline pick: list.
	maxPickItems = 100_000

	// maxDataBytes bounds the data files (csv:) of a scenario together,
	// from their sizes before they are read; maxDataRows bounds the rows
	// of one CSV file. A mistaken path (a log, a dump) fails clearly
	// instead of exhausting memory.
	maxDataBytes = 64 << 20
	maxDataRows  = 1_000_000

	// maxProblems bounds the problems reported for one file; one more
	// says how many were left out.
	maxProblems = 100

	// maxMessageBytes bounds a problem's message and field path: what
	// they quote of the file is a short, escaped excerpt.
	maxMessageBytes = 240
)
