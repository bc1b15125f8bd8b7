package main

import (
	"fmt"
	"strings"
)

// Block is one fenced code block of a Markdown page.
type Block struct {
	File       string      // the page, relative to the repository root (slash-separated)
	Line       int         // 1-based line of the opening fence
	Lang       string      // the first word of the info string, lower-cased; "" when untagged
	Text       string      // the content, fence indentation removed, ending in a newline unless empty
	Directives []Directive // the doc-check comments right above the fence, in order
}

// Where names the block for messages: "docs/cli.md:42".
func (b *Block) Where() string { return fmt.Sprintf("%s:%d", b.File, b.Line) }

// Has reports whether the block carries a directive of kind k.
func (b *Block) Has(k string) bool { return b.Directive(k) != nil }

// Directive returns the block's first directive of kind k, or nil.
func (b *Block) Directive(k string) *Directive {
	for i := range b.Directives {
		if b.Directives[i].Kind == k {
			return &b.Directives[i]
		}
	}
	return nil
}

// Page is a parsed Markdown file: its code blocks, links and anchors.
type Page struct {
	File    string
	Blocks  []Block
	Links   []Link
	Anchors map[string]bool // GitHub heading slugs and explicit <a id/name> anchors
	Errs    []error         // malformed directives, unclosed fences, orphan directives
}

// Link is a link destination found outside code.
type Link struct {
	Line int
	Dest string
}

// ParsePage reads a Markdown page. It never fails: problems are in Page.Errs.
//
// Fenced blocks open with three or more backticks or tildes, indented by
// at most three spaces beyond a list item's indentation, and close with the
// same character repeated at least as often. Doc-check directives are HTML
// comments "<!-- doc-check: KIND ARGS -->" on the lines directly above a
// fence, one per line.
func ParsePage(file, src string) *Page {
	p := &Page{File: file, Anchors: map[string]bool{}}
	lines := strings.Split(strings.TrimSuffix(strings.ReplaceAll(src, "\r\n", "\n"), "\n"), "\n")
	var pending []Directive
	pendingLine := 0
	slugs := map[string]int{}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		if d, ok, err := parseDirectiveLine(trimmed); ok {
			if err != nil {
				p.Errs = append(p.Errs, fmt.Errorf("%s:%d: %w", file, i+1, err))
			} else {
				pending = append(pending, d)
			}
			pendingLine = i + 1
			continue
		}
		if indent, fence, info, ok := openFence(line); ok {
			b := Block{File: file, Line: i + 1, Lang: langOf(info), Directives: pending}
			pending = nil
			var body []string
			closed := false
			for i++; i < len(lines); i++ {
				if closesFence(lines[i], fence) {
					closed = true
					break
				}
				body = append(body, unindent(lines[i], indent))
			}
			if !closed {
				p.Errs = append(p.Errs, fmt.Errorf("%s:%d: code fence %s is never closed", file, b.Line, fence))
			}
			if len(body) > 0 {
				b.Text = strings.Join(body, "\n") + "\n"
			}
			p.Blocks = append(p.Blocks, b)
			continue
		}
		if len(pending) > 0 {
			p.Errs = append(p.Errs, fmt.Errorf("%s:%d: doc-check directive not directly above a code fence", file, pendingLine))
			pending = nil
		}
		if h, ok := heading(line); ok {
			s := Slug(h)
			if n := slugs[s]; n > 0 {
				p.Anchors[fmt.Sprintf("%s-%d", s, n)] = true
			} else {
				p.Anchors[s] = true
			}
			slugs[s]++
		}
		for _, id := range htmlAnchors(line) {
			p.Anchors[id] = true
		}
		for _, d := range linkDests(line) {
			p.Links = append(p.Links, Link{Line: i + 1, Dest: d})
		}
	}
	if len(pending) > 0 {
		p.Errs = append(p.Errs, fmt.Errorf("%s:%d: doc-check directive at the end of the page, above no code fence", file, pendingLine))
	}
	return p
}

// openFence recognises an opening fence: its indentation, the fence itself
// ("```" or longer, or tildes) and the info string.
func openFence(line string) (indent int, fence, info string, ok bool) {
	indent = len(line) - len(strings.TrimLeft(line, " "))
	rest := line[indent:]
	for _, c := range []byte{'`', '~'} {
		n := 0
		for n < len(rest) && rest[n] == c {
			n++
		}
		if n >= 3 {
			info = strings.TrimSpace(rest[n:])
			if c == '`' && strings.Contains(info, "`") {
				return 0, "", "", false // an inline code span, not a fence
			}
			return indent, rest[:n], info, true
		}
	}
	return 0, "", "", false
}

// closesFence reports whether line closes a block opened with fence.
func closesFence(line, fence string) bool {
	t := strings.TrimSpace(line)
	if len(t) < len(fence) || t[0] != fence[0] {
		return false
	}
	return strings.Trim(t, fence[:1]) == ""
}

// unindent removes up to n leading spaces.
func unindent(s string, n int) string {
	for n > 0 && strings.HasPrefix(s, " ") {
		s, n = s[1:], n-1
	}
	return s
}

// langOf returns the info string's first word, lower-cased ("go", "sh").
func langOf(info string) string {
	if f := strings.Fields(info); len(f) > 0 {
		return strings.ToLower(strings.Trim(f[0], "{}."))
	}
	return ""
}

// heading returns the text of an ATX heading ("## Text").
func heading(line string) (string, bool) {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 {
		return "", false
	}
	n := 0
	for n < len(t) && t[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || (n < len(t) && t[n] != ' ' && t[n] != '\t') {
		return "", false
	}
	h := strings.TrimSpace(t[n:])
	h = strings.TrimSpace(strings.TrimRight(h, "#"))
	return h, true
}
