package main

import (
	"fmt"
	"regexp"
	"strings"
)

// isShell reports the languages run as shell commands.
func isShell(lang string) bool { return lang == "sh" || lang == "bash" || lang == "shell" }

// shellPrelude starts every page's script. The page's blocks run in order
// in this one bash process, from the repository copy's root, so a later
// block sees the files, variables and current directory an earlier one
// left, as a reader's terminal would. Background blocks run in their own
// session (setsid) and are stopped with SIGINT, like Ctrl-C, when the page
// ends; their process groups are listed in $DOCCHECK_BG for the runner,
// which kills what is left.
const shellPrelude = `set -eo pipefail
cd "$DOCCHECK_REPO"
__dc_bg=()
__dc_stop() {
  local p i
  for p in "${__dc_bg[@]}"; do kill -INT -- "-$p" 2>/dev/null || true; done
  for p in "${__dc_bg[@]}"; do
    for i in $(seq 150); do kill -0 -- "-$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$p" 2>/dev/null || true
  done
  __dc_bg=()
}
trap '__dc_stop' EXIT
trap 'exit 143' TERM INT
# __dc_up URL: URL answers HTTP (with curl), or at least its port accepts
# connections (bash's /dev/tcp, where curl is missing).
__dc_up() {
  if command -v curl >/dev/null; then curl -sS -o /dev/null --max-time 2 "$1" 2>/dev/null; return; fi
  local hp=${1#*://}; hp=${hp%%/*}
  (exec 3<>"/dev/tcp/${hp%:*}/${hp##*:}") 2>/dev/null
}
# __dc_wait URL PID LOG: wait until URL answers (up to 5 minutes: the
# first go run compiles), failing at once if PID has died.
__dc_wait() {
  local i
  for i in $(seq 1500); do
    if __dc_up "$1"; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then
      echo "::doccheck the background block died before $1 answered; its output:" >&2
      cat "$3" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "::doccheck $1 does not answer after 5 minutes" >&2
  return 1
}
`

// ShellScript turns a page's shell blocks into one bash script, with the
// substitutions applied. Every block is framed by "::doccheck begin" and
// "::doccheck end" lines on stderr, which the runner reads to say which
// block failed and to match "expect" directives against a block's output.
func ShellScript(blocks []*Block) (string, error) {
	var s strings.Builder
	s.WriteString(shellPrelude)
	for i, b := range blocks {
		text, err := substitute(b)
		if err != nil {
			return "", err
		}
		w := b.Where()
		fmt.Fprintf(&s, "\n# %s\necho '::doccheck begin %s' >&2\n", w, w)
		if d := b.Directive("background"); d != nil {
			fmt.Fprintf(&s, "__dc_log=\"$DOCCHECK_WORK/bg-%d.log\"\n", i)
			fmt.Fprintf(&s, "setsid bash -c %s > \"$__dc_log\" 2>&1 < /dev/null &\n", shellQuote(text))
			s.WriteString("__dc_bg+=($!)\necho $! >> \"$DOCCHECK_BG\"\n")
			fmt.Fprintf(&s, "__dc_wait %s $! \"$__dc_log\"\n", shellQuote(d.Args))
		} else if d := b.Directive("exit"); d != nil {
			fmt.Fprintf(&s, "set +e\n{\n%s\n}\n__dc_rc=$?\nset -e\n", text)
			fmt.Fprintf(&s, "if [ \"$__dc_rc\" != %d ]; then echo \"::doccheck exit status $__dc_rc, want %d\" >&2; exit 1; fi\n", d.Exit, d.Exit)
		} else {
			fmt.Fprintf(&s, "{\n%s\n}\n", text)
		}
		fmt.Fprintf(&s, "echo '::doccheck end %s' >&2\n", w)
	}
	s.WriteString("\n__dc_stop\necho '::doccheck page done' >&2\n")
	return s.String(), nil
}

// substitute applies a block's "sub" directives; each OLD must occur.
func substitute(b *Block) (string, error) {
	text := strings.TrimRight(b.Text, "\n")
	for _, d := range b.Directives {
		if d.Kind != "sub" {
			continue
		}
		if !strings.Contains(text, d.Old) {
			return "", fmt.Errorf("%s: sub %q: the block does not contain it", b.Where(), d.Old)
		}
		text = strings.ReplaceAll(text, d.Old, d.New)
	}
	return text, nil
}

// shellQuote quotes s for bash as one word.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

var (
	marker = regexp.MustCompile(`(?m)^::doccheck (begin|end) (\S+)$`)
	// diagnostic is the script's own account of a failure.
	diagnostic = regexp.MustCompile(`(?m)^::doccheck (.+)$`)
)

// lastDiagnostic returns the script's last diagnostic line, if any.
func lastDiagnostic(log string) string {
	var last string
	for _, m := range diagnostic.FindAllStringSubmatch(log, -1) {
		if !strings.HasPrefix(m[1], "begin ") && !strings.HasPrefix(m[1], "end ") && m[1] != "page done" {
			last = m[1]
		}
	}
	return last
}

// blockOutputs splits a page's log into each block's output, by the
// begin/end markers; a block that began and never ended maps to the rest
// of the log. failed is the block that began last without ending, if any.
func blockOutputs(log string) (out map[string]string, failed string) {
	out = map[string]string{}
	open, start := "", 0
	for _, m := range marker.FindAllStringSubmatchIndex(log, -1) {
		kind, where := log[m[2]:m[3]], log[m[4]:m[5]]
		if kind == "begin" {
			open, start = where, m[1]
			if start < len(log) && log[start] == '\n' {
				start++
			}
			continue
		}
		if where == open {
			out[where] = log[start:m[0]]
			open = ""
		}
	}
	if open != "" {
		out[open] = log[start:]
	}
	return out, open
}
