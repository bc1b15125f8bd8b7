package main

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Directive is one "<!-- doc-check: KIND ARGS -->" comment.
type Directive struct {
	Kind string // skip, exit, background, sub, expect, file, yaml
	Args string // the rest of the comment, trimmed

	// Parsed arguments, by kind.
	Exit     int            // exit: the expected status of the block's last command
	Old, New string         // sub: replace Old by New before running
	Expect   *regexp.Regexp // expect: the block's output must match
}

// The directive kinds and what each takes. docs/README.md documents them
// for writers of the guide.
var directiveUsage = map[string]string{
	"skip":       "skip REASON: the block is illustrative and not checked",
	"exit":       "exit N: the status the block's last command must exit with",
	"background": "background URL: run the block in the background until the page ends, once URL answers",
	"sub":        "sub OLD => NEW: run the block with OLD replaced by NEW (shorter durations, say)",
	"expect":     "expect REGEXP: the block's output (stdout and stderr) must match",
	"file":       "file PATH: the block's lines appear, in a row, in PATH (from the repository root)",
	"yaml":       "yaml scenario|request|top: the YAML is a whole scenario, the fields of one request, or top-level fields without classes",
}

const directivePrefix = "doc-check:"

// errDirective wraps every malformed directive.
var errDirective = errors.New("doc-check directive")

// parseDirectiveLine recognises a doc-check comment. ok is false when the
// line is something else; err says what is wrong with a doc-check comment.
func parseDirectiveLine(line string) (d Directive, ok bool, err error) {
	if !strings.HasPrefix(line, "<!--") || !strings.HasSuffix(line, "-->") {
		return d, false, nil
	}
	body := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "<!--"), "-->"))
	if !strings.HasPrefix(body, directivePrefix) {
		return d, false, nil
	}
	body = strings.TrimSpace(strings.TrimPrefix(body, directivePrefix))
	d.Kind, d.Args, _ = strings.Cut(body, " ")
	d.Args = strings.TrimSpace(d.Args)
	if _, known := directiveUsage[d.Kind]; !known {
		return d, true, fmt.Errorf("%w: unknown kind %q (known: skip, exit, background, sub, expect, file, yaml)", errDirective, d.Kind)
	}
	if d.Args == "" {
		return d, true, fmt.Errorf("%w: %q needs an argument: %s", errDirective, d.Kind, directiveUsage[d.Kind])
	}
	switch d.Kind {
	case "exit":
		n, err := strconv.Atoi(d.Args)
		if err != nil || n < 0 || n > 255 {
			return d, true, fmt.Errorf("%w: exit %q: want a status 0..255", errDirective, d.Args)
		}
		d.Exit = n
	case "sub":
		old, new, found := strings.Cut(d.Args, " => ")
		if !found || strings.TrimSpace(old) == "" {
			return d, true, fmt.Errorf("%w: sub %q: want OLD => NEW", errDirective, d.Args)
		}
		d.Old, d.New = strings.TrimSpace(old), strings.TrimSpace(new)
	case "expect":
		re, err := regexp.Compile(d.Args)
		if err != nil {
			return d, true, fmt.Errorf("%w: expect: %v", errDirective, err)
		}
		d.Expect = re
	case "yaml":
		if d.Args != "scenario" && d.Args != "request" && d.Args != "top" {
			return d, true, fmt.Errorf("%w: yaml %q: want scenario, request or top", errDirective, d.Args)
		}
	case "background":
		if !strings.HasPrefix(d.Args, "http://127.") && !strings.HasPrefix(d.Args, "http://localhost") {
			return d, true, fmt.Errorf("%w: background %q: want a loopback http:// URL to wait for", errDirective, d.Args)
		}
	}
	return d, true, nil
}
