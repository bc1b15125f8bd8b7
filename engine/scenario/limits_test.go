package scenario

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/soaklab/soak/engine/scenario/internal/bounds"
)

// parseProblem parses src and returns its one problem (at most the
// first), failing the test if src parses.
func parseProblem(t *testing.T, src string) *Problem {
	t.Helper()
	_, err := Parse("b.yaml", []byte(src))
	var probs Problems
	if !errors.As(err, &probs) || len(probs) == 0 {
		t.Fatalf("Parse = %v; want problems", err)
	}
	return probs[0]
}

// wantProblem checks a problem's line, column and message.
func wantProblem(t *testing.T, p *Problem, line, col int, msg string) {
	t.Helper()
	if p.Pos != (Pos{line, col}) || !strings.Contains(p.Msg, msg) {
		t.Errorf("problem %v; want b.yaml:%d:%d: ...%s...", p, line, col, msg)
	}
}

// TestDepthRefused: nesting past bounds.MaxDepth is refused where it crosses
// the bound, before the YAML parser sees it (depth 100,000 once took the
// parser past 10 GB), in flow and block style alike.
func TestDepthRefused(t *testing.T) {
	const deep = 100_000
	flow := "classes: " + strings.Repeat("[", deep) + strings.Repeat("]", deep) + "\n"
	// The top-level mapping is the first level; the 100th "[" the 101st.
	wantProblem(t, parseProblem(t, flow), 1, len("classes: ")+bounds.MaxDepth, "nested deeper than 100 levels")

	var b strings.Builder
	b.WriteString("classes:\n")
	for i := range deep / 100 {
		b.WriteString(strings.Repeat(" ", i) + "k:\n")
	}
	wantProblem(t, parseProblem(t, b.String()), bounds.MaxDepth+2, bounds.MaxDepth+1, "nested deeper than 100 levels")

	seqs := "classes:\n" + strings.Repeat("- ", deep) + "x\n"
	wantProblem(t, parseProblem(t, seqs), 2, 2*(bounds.MaxDepth-1)+1, "nested deeper than 100 levels")
}

// TestDepthLeavesRoomForJSON: a json: body as deep as bounds.MaxJSONDepth allows
// (its value at depth 0, the innermost at bounds.MaxJSONDepth) is within
// bounds.MaxDepth, in a task's steps.
func TestDepthLeavesRoomForJSON(t *testing.T) {
	n := bounds.MaxJSONDepth - 1
	body := strings.Repeat("[", n) + "1" + strings.Repeat("]", n)
	src := "classes:\n  - name: A\n    tasks:\n      - steps:\n          - post: /x\n            json: {a: " + body + "}\n"
	if _, err := Parse("b.yaml", []byte(src)); err != nil {
		t.Fatal(err)
	}
}

// billionLaughs is an alias bomb: 9 levels of 9 aliases, 9^9 values
// once expanded, in 9 short lines.
func billionLaughs() string {
	var b strings.Builder
	b.WriteString(`a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [", i, i)
		for j := range 9 {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String() + "classes: [{name: A, tasks: [{post: /x, json: *a8}]}]\n"
}

// TestAliasBombRefused: the bomb is refused at the alias where the
// expanded count crosses bounds.MaxNodes (in the definitions, long before the
// classes that use it), with file:line:column.
func TestAliasBombRefused(t *testing.T) {
	// a0..a4 expand to 10+91+820+7381+66430 nodes, 74,738 with the keys
	// and the top mapping; a5's first *a4 crosses 100,000 (141,170).
	wantProblem(t, parseProblem(t, billionLaughs()), 6, 10, fmt.Sprintf("more than %d nodes with aliases expanded", bounds.MaxNodes))
}

// TestAliasBytesRefused: few nodes, but a long string repeated by
// aliases is refused by bounds.MaxExpandedBytes.
func TestAliasBytesRefused(t *testing.T) {
	src := "s: &s " + strings.Repeat("x", 1<<20) + "\nl: [" + strings.Repeat("*s, ", 70) + "*s]\n" + minimal
	p := parseProblem(t, src)
	if p.Pos.Line != 2 || !strings.Contains(p.Msg, "more than 64 MiB of values and field paths with aliases expanded") {
		t.Errorf("problem %v; want line 2: more than 64 MiB ...", p)
	}
}

// TestRecursiveAliasRefused: an alias inside the anchor it names.
func TestRecursiveAliasRefused(t *testing.T) {
	wantProblem(t, parseProblem(t, "a: &a [1, *a]\n"+minimal), 1, 11, "alias *a is inside the anchor &a it names")
	// The same name defined again inside is the one an alias after it
	// names: valid.
	if _, err := Parse("b.yaml", []byte("headers: &h {X-A: &h b, X-B: *h}\n"+minimal)); err != nil {
		t.Fatal(err)
	}
}

// TestBlockKeysRefused: a block mapping past bounds.MaxBlockKeys is refused at
// the key that crosses it; the same keys in flow style are accepted.
func TestBlockKeysRefused(t *testing.T) {
	var block, flow strings.Builder
	block.WriteString("headers:\n")
	flow.WriteString("headers: {")
	for i := range bounds.MaxBlockKeys + 1 {
		fmt.Fprintf(&block, "  X-H%d: v\n", i)
		fmt.Fprintf(&flow, "X-H%d: v, ", i)
	}
	wantProblem(t, parseProblem(t, block.String()+minimal), bounds.MaxBlockKeys+2, 3, "more than 1000 keys in one block mapping")
	if _, err := Parse("b.yaml", []byte(flow.String()+"}\n"+minimal)); err != nil {
		t.Fatal(err)
	}
}

// TestTokensRefused: a flat list past bounds.MaxTokens.
func TestTokensRefused(t *testing.T) {
	src := "l: [" + strings.Repeat("1,", bounds.MaxTokens) + "1]\n" + minimal
	p := parseProblem(t, src)
	if p.Pos.Line != 1 || !strings.Contains(p.Msg, fmt.Sprintf("more than %d YAML tokens", bounds.MaxTokens)) {
		t.Errorf("problem %v", p)
	}
}

// TestPathBytesRefused: a long key above many values (each value's path
// repeats it).
func TestPathBytesRefused(t *testing.T) {
	src := strings.Repeat("k", 100_000) + ": [" + strings.Repeat("1, ", 400) + "1]\n" + minimal
	p := parseProblem(t, src)
	if p.Pos.Line != 1 || !strings.Contains(p.Msg, "add up to more than 32 MiB") {
		t.Errorf("problem %v", p)
	}
}

// countdown is a context whose Err turns Canceled after n calls, and
// counts the calls: it shows that the steps of a parse ask their context
// as they run, not only between them.
type countdown struct {
	context.Context
	n, calls atomic.Int64
}

func (c *countdown) Err() error {
	c.calls.Add(1)
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// TestParseContext: a done context stops the parse with its error, not
// problems, whether it is done before or during the parse. A parse of a
// 1 MiB body asks its context hundreds of times (the prescan, the alias
// walk, the decode and the compile each every few thousand nodes), and a
// context done at any of those calls ends it.
func TestParseContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ParseContext(ctx, "b.yaml", []byte(minimal)); !errors.Is(err, context.Canceled) || errors.Is(err, ErrInvalid) {
		t.Fatalf("canceled before: %v", err)
	}
	data := bodyScenario(1 << 20)
	full := &countdown{Context: context.Background()}
	full.n.Store(1 << 40)
	if _, err := ParseContext(full, "b.yaml", data); err != nil {
		t.Fatal(err)
	}
	total := full.calls.Load()
	if total < 100 {
		t.Fatalf("the parse asked its context %d times; want it asked as it runs", total)
	}
	for _, k := range []int64{1, 2, 3, total / 4, total / 2, 3 * total / 4, total - 1} {
		c := &countdown{Context: context.Background()}
		c.n.Store(k)
		_, err := ParseContext(c, "b.yaml", data)
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "b.yaml: parsing stopped") {
			t.Errorf("canceled at call %d of %d: %v", k, total, err)
		}
	}
}

// TestProblemExcerpt: a problem quotes a short, escaped excerpt of the
// file, never a whole long key, nor a control character raw.
func TestProblemExcerpt(t *testing.T) {
	key := "evil\x1b[2J" + strings.Repeat("k", 10_000)
	p := parseProblem(t, "\""+strings.ReplaceAll(key, "\x1b", "\\e")+"\": 1\n"+minimal)
	if len(p.Msg) > bounds.MaxMessageBytes+10 || len(p.Field) > bounds.MaxMessageBytes+10 || strings.ContainsRune(p.Error(), 0x1b) ||
		!strings.Contains(p.Field, `evil\x1b[2J`) || !strings.HasSuffix(p.Field, "...") {
		t.Errorf("problem %d+%d bytes: %.300q", len(p.Field), len(p.Msg), p.Error())
	}
}

// TestProblemsBounded: a file with many problems reports bounds.MaxProblems and
// one that counts the rest.
func TestProblemsBounded(t *testing.T) {
	var b strings.Builder
	for i := range 500 {
		fmt.Fprintf(&b, "unknown%d: 1\n", i)
	}
	_, err := Parse("b.yaml", []byte(b.String()+minimal))
	var probs Problems
	if !errors.As(err, &probs) || len(probs) != bounds.MaxProblems+1 {
		t.Fatalf("%d problems; want %d", len(probs), bounds.MaxProblems+1)
	}
	if last := probs[len(probs)-1]; last.Msg != "400 more problems, not shown" || last.Pos.Line != 101 {
		t.Errorf("last problem %v", last)
	}
}
