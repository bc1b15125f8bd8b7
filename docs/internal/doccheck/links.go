package main

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

var (
	inlineLink = regexp.MustCompile(`\[[^\]]*\]\(`)
	refDef     = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?`)
	htmlAnchor = regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)
	htmlHref   = regexp.MustCompile(`<(?:a|img)\s[^>]*(?:href|src)="([^"]+)"`)
	codeSpan   = regexp.MustCompile("(`+)[^`]*?(`+)")
	mdLinkText = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
)

// linkDests returns the destinations of the links on one line of prose:
// inline links and images, reference definitions, and HTML href/src.
// Code spans are not prose.
func linkDests(line string) []string {
	line = codeSpan.ReplaceAllString(line, "")
	var out []string
	if m := refDef.FindStringSubmatch(line); m != nil {
		out = append(out, m[1])
	}
	for _, loc := range inlineLink.FindAllStringIndex(line, -1) {
		if d, ok := destAt(line[loc[1]:]); ok {
			out = append(out, d)
		}
	}
	for _, m := range htmlHref.FindAllStringSubmatch(line, -1) {
		out = append(out, m[1])
	}
	return out
}

// destAt reads a link destination up to its closing parenthesis, which
// may follow a title ("dest "title"") and may enclose balanced parentheses.
func destAt(s string) (string, bool) {
	s = strings.TrimLeft(s, " ")
	if strings.HasPrefix(s, "<") {
		if i := strings.Index(s, ">"); i > 0 {
			return s[1:i], true
		}
		return "", false
	}
	depth := 0
	for i, c := range s {
		switch {
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case c == ')' || c == ' ':
			return s[:i], i > 0
		}
	}
	return "", false
}

// htmlAnchors returns explicit anchors (<a id="x">, <a name="x">).
func htmlAnchors(line string) []string {
	var out []string
	for _, m := range htmlAnchor.FindAllStringSubmatch(line, -1) {
		out = append(out, m[1])
	}
	return out
}

// Slug is GitHub's anchor for a heading: the text without Markdown link
// syntax and code ticks, lower-cased, without punctuation other than '-'
// and '_', each space a '-'.
func Slug(h string) string {
	h = mdLinkText.ReplaceAllString(h, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isExternal reports whether a destination leaves the repository
// (https:, mailto:, //host).
func isExternal(dest string) bool {
	if strings.HasPrefix(dest, "//") {
		return true
	}
	i := strings.IndexAny(dest, ":/#?")
	return i > 0 && dest[i] == ':'
}

// CheckLinks resolves every relative link of the pages: the file or
// directory must exist, and an anchor into a Markdown page must name one of
// its headings. pages maps a page's slash path (from root) to the page;
// pages not in it are parsed from disk when a link points into them.
func CheckLinks(root string, pages map[string]*Page) []error {
	var errs []error
	anchorsOf := func(rel string) (map[string]bool, error) {
		if p, ok := pages[rel]; ok {
			return p.Anchors, nil
		}
		src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return nil, err
		}
		p := ParsePage(rel, string(src))
		pages[rel] = p
		return p.Anchors, nil
	}
	for _, rel := range slices.Sorted(maps.Keys(pages)) {
		p := pages[rel]
		for _, l := range p.Links {
			if l.Dest == "" || isExternal(l.Dest) {
				continue
			}
			target, frag, _ := strings.Cut(l.Dest, "#")
			target, _, _ = strings.Cut(target, "?")
			where := fmt.Sprintf("%s:%d: link %q", p.File, l.Line, l.Dest)
			resolved := p.File
			if target != "" {
				if strings.HasPrefix(target, "/") {
					errs = append(errs, fmt.Errorf("%s: an absolute path breaks outside GitHub; use a relative one", where))
					continue
				}
				resolved = path.Clean(path.Join(path.Dir(p.File), target))
				if resolved == ".." || strings.HasPrefix(resolved, "../") {
					errs = append(errs, fmt.Errorf("%s: leaves the repository", where))
					continue
				}
				if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(resolved))); err != nil {
					errs = append(errs, fmt.Errorf("%s: %s does not exist", where, resolved))
					continue
				}
			}
			if frag == "" || !strings.HasSuffix(resolved, ".md") {
				continue
			}
			anchors, err := anchorsOf(resolved)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %v", where, err))
				continue
			}
			if !anchors[frag] {
				errs = append(errs, fmt.Errorf("%s: %s has no heading with anchor #%s", where, resolved, frag))
			}
		}
	}
	return errs
}
