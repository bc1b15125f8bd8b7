package bounds

import (
	"bytes"
	"context"
	"fmt"
	"unicode/utf8"
)

// Prescan checks data against the bounds the YAML parser cannot keep
// itself (MaxDepth, MaxTokens, MaxBlockKeys, MaxPathBytes) in one pass
// over the bytes, in constant memory, before goccy/go-yaml parses it. It
// returns the first bound crossed, at the line and column where that
// happened, or nil; or ctx's error, checked every few thousand lines.
//
// It is a lexer of YAML's structure only: comments, quoted and block
// scalars, plain scalars and their continuation lines, flow collections,
// and the keys and "- " entries that open block collections by their
// column. What it cannot tell apart it counts, so its counts can only
// exceed the parser's; the bounds leave room for that.
func Prescan(ctx context.Context, data []byte) (*Crossing, error) {
	s := &yscan{b: data, line: 1, owner: -1, blockOwner: none, plainOwner: none}
	if bytes.HasPrefix(data, bomUTF8) {
		s.pos, s.lineStart = len(bomUTF8), len(bomUTF8)
	}
	for lines := 0; s.pos < len(s.b) && s.prob == nil; lines++ {
		if lines%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		s.scanLineStart()
		if s.pos < len(s.b) && s.b[s.pos] == '\n' {
			s.pos++
			s.line++
			s.lineStart = s.pos
		}
	}
	return s.prob, nil
}

var bomUTF8 = []byte("\xef\xbb\xbf")

// none marks an owner column that is not set.
const none = -2

// ylevel is an open collection.
type ylevel struct {
	flow, seq bool
	indent    int // a block collection's column (0-based); -1 for flow
	count     int // keys of a block mapping, entries of a sequence
	seg       int // bytes this level adds to its current child's path
}

// yscan is Prescan's state.
type yscan struct {
	b           []byte
	pos         int
	at          int // where the item being scanned starts, for problems
	line        int // 1-based
	lineStart   int // offset of the line's first byte
	levels      []ylevel
	flowDepth   int
	flowStart   int // column where the outermost flow collection began
	pathLen     int // the current path's bytes: the levels' segments
	tokens      int
	pathBytes   int64
	lastScalar  int  // bytes of the last scalar (a key when ':' follows)
	quote       byte // the open quote of a scalar that goes on to the next line
	owner       int  // column of the node that owns a scalar starting here
	blockOwner  int  // in a block scalar: its owner's column; none otherwise
	plainOwner  int  // after a plain scalar that may continue; none otherwise
	afterQuoted bool // the last token was a quoted scalar (JSON's "a":1)
	prob        *Crossing
}

// scanLineStart scans one line, from its first byte to its line break.
func (s *yscan) scanLineStart() {
	ind := 0
	for s.pos+ind < len(s.b) && s.b[s.pos+ind] == ' ' {
		ind++
	}
	rest := s.pos + ind
	blank := s.lineEnd(rest)
	switch {
	case s.quote != 0:
		if !s.quoted(s.quote) {
			return
		}
		s.scanLine()
		return
	case s.blockOwner != none && (blank || ind > s.blockOwner):
		s.skipLine()
		return
	case s.flowDepth > 0:
		s.pos = rest
		s.scanLine()
		return
	case blank:
		s.skipLine()
		return
	case s.plainOwner != none && ind > s.plainOwner && s.b[rest] != '#':
		s.skipLine() // more of the plain scalar on the lines above
		return
	}
	s.blockOwner, s.plainOwner = none, none
	s.owner = -1
	if n := len(s.levels); n > 0 {
		s.owner = s.levels[n-1].indent
	}
	if ind == 0 && (s.marker("---") || s.marker("...")) {
		s.token()
		s.levels, s.pathLen = s.levels[:0], 0
		s.pos += 3
		s.scanLine()
		return
	}
	if ind == 0 && s.b[rest] == '%' {
		s.token() // a directive
		s.skipLine()
		return
	}
	s.pos = rest
	s.scanLine()
}

// marker reports whether the line starts with a document marker m.
func (s *yscan) marker(m string) bool {
	return bytes.HasPrefix(s.b[s.pos:], []byte(m)) && s.blankOrEnd(s.pos+len(m))
}

// scanLine scans the rest of a line: block or flow items, comments.
func (s *yscan) scanLine() {
	for s.prob == nil {
		for s.pos < len(s.b) && (s.b[s.pos] == ' ' || s.b[s.pos] == '\t' || s.b[s.pos] == '\r') {
			s.pos++
		}
		if s.pos >= len(s.b) || s.b[s.pos] == '\n' {
			return
		}
		if s.b[s.pos] == '#' {
			s.token()
			s.skipLine()
			return
		}
		if s.flowDepth > 0 {
			s.flowItem()
		} else {
			s.blockItem()
		}
		if s.quote != 0 || s.blockOwner != none {
			return // the rest of the line belongs to a scalar
		}
	}
}

// blockItem scans one item at a node's start in block context.
func (s *yscan) blockItem() {
	s.at = s.pos
	col := s.pos - s.lineStart
	c := s.b[s.pos]
	s.afterQuoted = false
	switch {
	case c == '-' && s.blankOrEnd(s.pos+1):
		s.token()
		s.entry(col)
		s.owner = col
		s.pos++
	case (c == '?' || c == ':') && s.blankOrEnd(s.pos+1):
		s.token() // an explicit key or value
		if c == '?' {
			s.key(col, 0)
			s.owner = col
		}
		s.pos++
	case c == '[' || c == '{':
		s.flowStart = col
		s.open(c == '[')
	case c == '\'' || c == '"':
		if s.quotedScalar(c) {
			s.keyAfter(col)
		}
	case c == '|' || c == '>':
		s.scalarNode()
		s.blockOwner = s.owner
		s.skipLine()
	case c == '&' || c == '!' || c == '*':
		start := s.property(s.blankOrEnd)
		if c == '*' {
			s.lastScalar = s.pos - start
			s.keyAfter(col)
		}
	default:
		s.plain(col)
	}
}

// plain scans a plain scalar in block context: a key when ": " ends it.
func (s *yscan) plain(col int) {
	start := s.pos
	for s.pos < len(s.b) && s.b[s.pos] != '\n' {
		c := s.b[s.pos]
		if c == ':' && s.blankOrEnd(s.pos+1) || c == '#' && (s.b[s.pos-1] == ' ' || s.b[s.pos-1] == '\t') {
			break
		}
		s.pos++
	}
	s.scalarNode()
	s.lastScalar = s.pos - start
	if s.pos < len(s.b) && s.b[s.pos] == ':' {
		s.token()
		s.key(col, s.lastScalar)
		s.owner = col
		s.pos++
		return
	}
	if s.lineEnd(s.pos) {
		s.plainOwner = s.owner
	}
}

// keyAfter makes the scalar just scanned a key when ": " follows it.
func (s *yscan) keyAfter(col int) {
	i := s.pos
	for i < len(s.b) && (s.b[i] == ' ' || s.b[i] == '\t') {
		i++
	}
	if i < len(s.b) && s.b[i] == ':' && s.blankOrEnd(i+1) {
		s.pos = i + 1
		s.token()
		s.key(col, s.lastScalar)
		s.owner = col
	}
}

// flowItem scans one item inside a flow collection.
func (s *yscan) flowItem() {
	if len(s.levels) == 0 { // cannot happen: every flow collection has its level
		s.flowDepth = 0
		return
	}
	s.at = s.pos
	c := s.b[s.pos]
	afterQuoted := s.afterQuoted
	s.afterQuoted = false
	top := &s.levels[len(s.levels)-1]
	switch {
	case c == '[' || c == '{':
		s.open(c == '[')
	case c == ']' || c == '}':
		s.token()
		s.pop()
		s.flowDepth--
		s.pos++
		if s.flowDepth == 0 {
			s.lastScalar = s.pos - s.lineStart - s.flowStart
			s.keyAfter(s.flowStart)
		}
	case c == ',':
		s.token()
		top.count++
		if top.seq {
			s.setSeg(top, digits(top.count)+2)
		}
		s.pos++
	case c == ':' && (afterQuoted || s.flowEnd(s.pos+1)):
		s.token()
		if !top.seq {
			s.setSeg(top, s.lastScalar+1)
		}
		s.pos++
	case c == '?' && s.blankOrEnd(s.pos+1):
		s.token()
		s.pos++
	case c == '\'' || c == '"':
		s.afterQuoted = s.quotedScalar(c)
	case c == '&' || c == '!' || c == '*':
		s.property(s.flowEnd)
	default:
		start := s.pos
		for s.pos < len(s.b) && s.b[s.pos] != '\n' {
			c := s.b[s.pos]
			if bytes.IndexByte([]byte(",[]{}"), c) >= 0 || c == ':' && s.flowEnd(s.pos+1) ||
				c == '#' && (s.b[s.pos-1] == ' ' || s.b[s.pos-1] == '\t') {
				break
			}
			s.pos++
		}
		s.scalarNode()
		s.lastScalar = s.pos - start
	}
}

// property scans an anchor (&a), a tag (!t) or an alias (*a), which ends
// where end says; an alias is a node, the others are tokens. It returns
// where it started.
func (s *yscan) property(end func(int) bool) int {
	start := s.pos
	if s.b[s.pos] == '*' {
		s.scalarNode()
	} else {
		s.token()
	}
	for s.pos < len(s.b) && !end(s.pos) {
		s.pos++
	}
	return start
}

// quotedScalar counts the quoted scalar that starts with q here and
// scans it; it reports whether it closed on this line.
func (s *yscan) quotedScalar(q byte) bool {
	start := s.pos
	s.pos++
	s.scalarNode()
	if !s.quoted(q) {
		return false
	}
	s.lastScalar = s.pos - start
	return true
}

// quoted scans a quoted scalar from just after its opening quote q (or
// from a line that continues it), and reports whether it closed on this
// line; if not, s.quote keeps q for the next line.
func (s *yscan) quoted(q byte) bool {
	for s.pos < len(s.b) {
		switch c := s.b[s.pos]; {
		case c == '\n':
			s.quote = q
			return false
		case c == '\\' && q == '"' && s.pos+1 < len(s.b) && s.b[s.pos+1] != '\n':
			s.pos += 2
		case c == q && q == '\'' && s.pos+1 < len(s.b) && s.b[s.pos+1] == '\'':
			s.pos += 2
		case c == q:
			s.pos++
			s.quote = 0
			return true
		default:
			s.pos++
		}
	}
	s.quote = 0 // unclosed at the end: the parser reports it
	return false
}

// open opens a flow collection.
func (s *yscan) open(seq bool) {
	s.scalarNode()
	l := ylevel{flow: true, seq: seq, indent: -1}
	if seq {
		l.seg = 3
	}
	s.push(l)
	s.flowDepth++
	s.pos++
}

// key records a block mapping key at column col.
func (s *yscan) key(col, keyLen int) {
	for n := len(s.levels); n > 0 && !s.levels[n-1].flow &&
		(s.levels[n-1].indent > col || s.levels[n-1].indent == col && s.levels[n-1].seq); n-- {
		s.pop()
	}
	n := len(s.levels)
	if n > 0 && !s.levels[n-1].flow && s.levels[n-1].indent == col {
		top := &s.levels[n-1]
		if top.count++; top.count > MaxBlockKeys {
			s.fail("more than %d keys in one block mapping; write a mapping this large in flow style, {a: 1, b: 2} (as JSON)", MaxBlockKeys)
			return
		}
		s.setSeg(top, keyLen+1)
		return
	}
	s.push(ylevel{indent: col, count: 1, seg: keyLen + 1})
}

// entry records a block sequence entry ("- ") at column col.
func (s *yscan) entry(col int) {
	for n := len(s.levels); n > 0 && !s.levels[n-1].flow && s.levels[n-1].indent > col; n-- {
		s.pop()
	}
	n := len(s.levels)
	if n > 0 && !s.levels[n-1].flow && s.levels[n-1].indent == col && s.levels[n-1].seq {
		top := &s.levels[n-1]
		top.count++
		s.setSeg(top, digits(top.count-1)+2)
		return
	}
	s.push(ylevel{seq: true, indent: col, count: 1, seg: 3})
}

func (s *yscan) push(l ylevel) {
	if len(s.levels) >= MaxDepth {
		s.fail("nested deeper than %d levels", MaxDepth)
		return
	}
	s.levels = append(s.levels, l)
	s.pathLen += l.seg
}

func (s *yscan) pop() {
	if n := len(s.levels); n > 0 {
		s.pathLen -= s.levels[n-1].seg
		s.levels = s.levels[:n-1]
	}
}

func (s *yscan) setSeg(l *ylevel, seg int) {
	s.pathLen += seg - l.seg
	l.seg = seg
}

// token counts a token.
func (s *yscan) token() {
	if s.tokens++; s.tokens > MaxTokens {
		s.fail("more than %d YAML tokens (keys, values, punctuation and comments); a scenario needs far fewer", MaxTokens)
	}
}

// scalarNode counts a token that is a node, with its path.
func (s *yscan) scalarNode() {
	s.token()
	if s.pathBytes += int64(s.pathLen) + 1; s.pathBytes > MaxPathBytes {
		s.fail("the paths of the values (the keys and indices above each) add up to more than %d MiB; use shorter keys or less nesting", MaxPathBytes>>20)
	}
}

// fail records the first bound crossed, where the scan is.
func (s *yscan) fail(format string, args ...any) {
	if s.prob != nil {
		return
	}
	at := max(s.lineStart, min(s.at, len(s.b)))
	col := utf8.RuneCount(s.b[s.lineStart:at]) + 1
	s.prob = &Crossing{Line: s.line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// skipLine moves to the line's break.
func (s *yscan) skipLine() {
	if i := bytes.IndexByte(s.b[s.pos:], '\n'); i >= 0 {
		s.pos += i
	} else {
		s.pos = len(s.b)
	}
}

// lineEnd reports whether only blanks remain on the line from i.
func (s *yscan) lineEnd(i int) bool {
	for ; i < len(s.b) && s.b[i] != '\n'; i++ {
		if s.b[i] != ' ' && s.b[i] != '\t' && s.b[i] != '\r' {
			return false
		}
	}
	return true
}

// blankOrEnd reports whether b[i] ends a token in block context.
func (s *yscan) blankOrEnd(i int) bool {
	return i >= len(s.b) || s.b[i] == ' ' || s.b[i] == '\t' || s.b[i] == '\r' || s.b[i] == '\n'
}

// flowEnd reports whether b[i] ends a token in flow context.
func (s *yscan) flowEnd(i int) bool {
	return s.blankOrEnd(i) || bytes.IndexByte([]byte(",[]{}"), s.b[i]) >= 0
}

func digits(n int) int {
	d := 1
	for ; n >= 10; n /= 10 {
		d++
	}
	return d
}
