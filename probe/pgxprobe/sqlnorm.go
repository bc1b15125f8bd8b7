package pgxprobe

import (
	"strings"
)

// maxSQLLen is the longest normalised statement kept, in bytes; longer
// ones are cut and end in "...".
const maxSQLLen = 512

// NormalizeSQL turns a statement into its template, so that statements
// differing only in literal values share one entry: string literals,
// numbers and dollar-quoted strings become "?", comments go, runs of
// white space become one space, and lists of placeholders after IN or
// VALUES ("IN (?, ?, ?)", "VALUES ($1, $2)") become "(...)". Identifiers,
// keywords and $n parameters are kept as written. The result is at most
// 512 bytes.
func NormalizeSQL(sql string) string {
	var b strings.Builder
	b.Grow(min(len(sql), maxSQLLen))
	space := false
	emit := func(s string) {
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteString(s)
	}
	for i := 0; i < len(sql) && b.Len() <= maxSQLLen; {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			space = true
			i++
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			space = true
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				i = len(sql)
			} else {
				i += end + 4
			}
			space = true
		case c == '\'' || (c == 'E' || c == 'e') && i+1 < len(sql) && sql[i+1] == '\'' && !identByte(prev(sql, i)):
			if c != '\'' {
				i++
			}
			i = skipQuoted(sql, i, '\'')
			emit("?")
		case c == '"':
			j := skipQuoted(sql, i, '"')
			emit(sql[i:j])
			i = j
		case c == '$' && i+1 < len(sql) && (sql[i+1] == '$' || isIdentStart(sql[i+1])) && !identByte(prev(sql, i)):
			j, ok := skipDollar(sql, i)
			if !ok {
				emit("$")
				i++
				continue
			}
			emit("?")
			i = j
		case isDigit(c) && !identByte(prev(sql, i)):
			j := i
			for j < len(sql) && (isDigit(sql[j]) || sql[j] == '.' || sql[j] == 'e' || sql[j] == 'E' ||
				((sql[j] == '+' || sql[j] == '-') && (sql[j-1] == 'e' || sql[j-1] == 'E'))) {
				j++
			}
			emit("?")
			i = j
		case identByte(c) || c == '$':
			j := i + 1
			for j < len(sql) && identByte(sql[j]) {
				j++
			}
			emit(sql[i:j])
			i = j
		default:
			emit(sql[i : i+1])
			i++
		}
	}
	out := collapseLists(b.String())
	if len(out) > maxSQLLen {
		cut := maxSQLLen - 3
		for cut > 0 && out[cut]&0xC0 == 0x80 {
			cut--
		}
		out = out[:cut] + "..."
	}
	return out
}

// collapseLists replaces "(?, ?, ...)" and "($1, $2, ...)" lists of two
// or more placeholders after IN or VALUES (and further VALUES rows) with
// "(...)", so that lists of different lengths share one statement.
func collapseLists(s string) string {
	if !strings.Contains(s, ",") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '(' && listContext(b.String()) {
			j, n := i+1, 0
			for {
				for j < len(s) && s[j] == ' ' {
					j++
				}
				k := j
				if k < len(s) && s[k] == '?' {
					k++
				} else if k < len(s) && s[k] == '$' {
					k++
					for k < len(s) && isDigit(s[k]) {
						k++
					}
					if k == j+1 {
						break
					}
				} else {
					break
				}
				n++
				for k < len(s) && s[k] == ' ' {
					k++
				}
				if k < len(s) && s[k] == ',' {
					j = k + 1
					continue
				}
				if k < len(s) && s[k] == ')' && n >= 2 {
					b.WriteString("(...)")
					i = k + 1
					goto next
				}
				break
			}
		}
		b.WriteByte(s[i])
		i++
	next:
	}
	return b.String()
}

// listContext reports whether a "(" after out opens a value list.
func listContext(out string) bool {
	out = strings.TrimRight(out, " ")
	if strings.HasSuffix(out, "(...),") {
		return true
	}
	for _, kw := range []string{"in", "values"} {
		if len(out) >= len(kw) && strings.EqualFold(out[len(out)-len(kw):], kw) &&
			(len(out) == len(kw) || !identByte(out[len(out)-len(kw)-1])) {
			return true
		}
	}
	return false
}

func skipQuoted(s string, i int, q byte) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] == q {
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
		if s[j] == '\\' && q == '\'' && j+1 < len(s) {
			j++
		}
	}
	return len(s)
}

// skipDollar skips a dollar-quoted string ($$...$$, $tag$...$tag$)
// starting at i; ok is false for a $n parameter or a lone $.
func skipDollar(s string, i int) (int, bool) {
	j := i + 1
	for j < len(s) && s[j] != '$' {
		if !identByte(s[j]) || isDigit(s[j]) && j == i+1 {
			return 0, false
		}
		j++
	}
	if j >= len(s) {
		return 0, false
	}
	tag := s[i : j+1]
	end := strings.Index(s[j+1:], tag)
	if end < 0 {
		return len(s), true
	}
	return j + 1 + end + len(tag), true
}

// prev returns the byte before i, reporting a placeholder "?" as an
// identifier byte so that normalising twice changes nothing.
func prev(s string, i int) byte {
	if i == 0 {
		return ' '
	}
	if s[i-1] == '?' {
		return 'x'
	}
	return s[i-1]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
func identByte(c byte) bool { return isIdentStart(c) || isDigit(c) }
