package report

import (
	"strings"

	"github.com/soaklab/soak/internal/redact"
)

// cell is the Markdown renderer's one escaping function: every text
// written into report.md goes through it, soak's own and the target's
// (route names, error messages, server headers, query text, config
// values), so that nothing the service under test returns becomes live
// Markdown. The result stays on one line (a table cell or a list item):
//   - line breaks become spaces and a pipe is escaped (\|), so a table
//     keeps its columns;
//   - outside code spans, what would open a link, an image, an autolink,
//     HTML or a code span is escaped: a ] before ( or [ (\], so
//     "![x](http://evil)" is no image, while "[svc]" reads as written),
//     ` and \ (backslashed), and a < before a letter, /, ! or ? (&lt;, so
//     "<img src=...>" is text and "< 500ms" reads as written);
//   - a code span soak writes (`go tool pprof ...`: one backtick, text
//     without one, one backtick) is kept, as its content is literal.
//
// Secrets are redacted too (internal/redact), as the last guard.
func cell(s string) string {
	s = redact.Text(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s))
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '`' {
			if end := codeSpanEnd(s, i); end > 0 {
				b.WriteString(strings.ReplaceAll(s[i:end+1], "|", `\|`))
				i = end
				continue
			}
		}
		switch {
		case c == '|', c == '`', c == '\\':
			b.WriteByte('\\')
		case c == ']' && i+1 < len(s) && (s[i+1] == '(' || s[i+1] == '['):
			b.WriteByte('\\')
		case c == '<' && i+1 < len(s) && tagStart(s[i+1]):
			b.WriteString("&lt;")
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// codeSpanEnd is the index of the backtick closing a simple code span
// opened at s[i] (a lone backtick, then text without one, then a lone
// backtick), or -1.
func codeSpanEnd(s string, i int) int {
	if i+1 < len(s) && s[i+1] == '`' || i > 0 && s[i-1] == '`' {
		return -1
	}
	j := strings.IndexByte(s[i+1:], '`')
	if j <= 0 {
		return -1
	}
	end := i + 1 + j
	if end+1 < len(s) && s[end+1] == '`' {
		return -1
	}
	return end
}

// tagStart reports whether c after '<' makes HTML or an autolink.
func tagStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!' || c == '?'
}
