package locustfile

import "strings"

// Bounds of what Read reads: a locustfile of a hand-written size fits
// well within them; beyond them the rest is left out, never read in full.
const (
	// MaxBytes bounds the source read (the caller reads at most this).
	MaxBytes = 1 << 20
	// maxLineBytes bounds a logical line (lines joined inside brackets).
	maxLineBytes = 16 << 10
	// maxLines bounds the logical lines read.
	maxLines = 50_000
	// maxClasses, maxTasks and maxRequests bound what the skeleton holds.
	maxClasses  = 100
	maxTasks    = 200
	maxRequests = 50
	// maxInline bounds the helper calls followed from a task
	// (self.login() inside on_start).
	maxInline = 3
	// maxTotalRequests bounds the requests of the whole sketch, helper
	// calls followed; maxTextBytes a path, a name or a variable's
	// template.
	maxTotalRequests = 2000
	maxTextBytes     = 2048
	// maxCalls bounds the calls looked at in all (self.client calls and
	// helper calls, each time a helper is followed); maxNotes the notes
	// of a request list.
	maxCalls = 20_000
	maxNotes = 20
)

// line is a logical line of Python: physical lines joined inside
// brackets, after a backslash, or inside a triple-quoted string, with
// comments removed.
type line struct {
	text   string
	indent int // columns of its first physical line (a tab to the next multiple of 8)
	num    int // 1-based number of its first physical line
}

// logicalLines splits src into logical lines, bounded in count and
// length; blank and comment-only lines are left out.
func logicalLines(src []byte) []line {
	var out []line
	var b strings.Builder
	num, depth, indent := 1, 0, 0
	atStart, start := true, 1
	var quote string // the open string's quote: ', ", ''' or """
	emit := func() {
		if t := strings.TrimSpace(b.String()); t != "" && len(out) < maxLines {
			out = append(out, line{text: t, indent: indent, num: start})
		}
		b.Reset()
		depth, atStart = 0, true
	}
	add := func(c byte) {
		if b.Len() < maxLineBytes {
			b.WriteByte(c)
		}
	}
	for i := 0; i < len(src) && len(out) < maxLines; i++ {
		c := src[i]
		if atStart && quote == "" {
			switch c {
			case ' ':
				indent++
				continue
			case '\t':
				indent = indent/8*8 + 8
				continue
			case '\r', '\f':
				continue
			case '\n':
				indent, num = 0, num+1
				continue
			}
			atStart, start = false, num
		}
		switch {
		case quote != "":
			add(c)
			switch {
			case c == '\\' && i+1 < len(src):
				i++
				add(src[i])
				if src[i] == '\n' {
					num++
				}
			case c == '\n' && len(quote) == 1: // an unclosed string ends with its line
				num++
				quote = ""
				emit()
				indent = 0
			case c == '\n':
				num++
			case c == quote[0] && (len(quote) == 1 || i+2 < len(src) && src[i+1] == c && src[i+2] == c):
				for range len(quote) - 1 {
					i++
					add(src[i])
				}
				quote = ""
			}
		case c == '\'' || c == '"':
			quote = string(c)
			if i+2 < len(src) && src[i+1] == c && src[i+2] == c {
				quote = strings.Repeat(string(c), 3)
				add(c)
				add(c)
				i += 2
			}
			add(c)
		case c == '#':
			for i+1 < len(src) && src[i+1] != '\n' {
				i++
			}
		case c == '\\' && i+1 < len(src) && src[i+1] == '\n':
			i++
			num++
			add(' ')
		case c == '\n':
			num++
			if depth > 0 {
				add(' ')
				continue
			}
			emit()
			indent = 0
		default:
			switch c {
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				depth = max(depth-1, 0)
			}
			add(c)
		}
	}
	emit()
	return out
}
