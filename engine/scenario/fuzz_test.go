package scenario

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/scenario/internal/bounds"
)

// FuzzParse feeds arbitrary YAML to Parse. It must never panic; every
// problem must name the file and a line and column; a scenario it
// accepts must validate, build a plan, and render every request without
// panicking.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"../../docs/scenarios/seed.yaml", "../../docs/scenarios/quick.yaml", "../../docs/scenarios/open-stages.yaml"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(minimal))
	f.Add([]byte("load: {rate: 5, stages: [{duration: 1s, rate: 2}]}\n" + minimal))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("classes:\n  - name: A\n    on_start: [{post: /l, json: {u: '{{printf(\"user%04d\", user.id)}}'}, capture: {t: $.t}}]\n    retry: {status: [401, 419], run: on_start}\n    tasks: [{post: '/s/{{printf(\"%-3d\", random_int(1, 9))}}', body: '{{repeat(\"ab\", 4)}}'}]\n"))
	f.Add([]byte("classes:\n  - &c {name: A, tasks: [{get: /x}]}\n  - <<: *c\n    name: B\n"))
	f.Add([]byte("data:\n  p: {pick: [a, b], order: round_robin}\nclasses:\n  - name: A\n    vars: {v: '{{p}}'}\n    tasks: [{post: '/{{v}}', json: {a: [1, '{{uuid}}']}, check: [{json: $.a, equals: 1}], capture: {x: '$.b[*]'}}]\n"))
	// Hostile shapes (internal/bounds): nesting past MaxDepth in flow and
	// block style, an alias bomb, a recursive alias, a block mapping past
	// MaxBlockKeys, a long key over many values, a large JSON body, and
	// scalars whose brackets and quotes are text.
	f.Add([]byte("classes: " + strings.Repeat("[", 150) + strings.Repeat("]", 150) + "\n"))
	f.Add([]byte("classes:\n" + strings.Repeat("- ", 150) + "x\n"))
	f.Add([]byte(billionLaughs()))
	f.Add([]byte("a: &a {b: [*a]}\n" + minimal))
	f.Add([]byte("headers:\n" + strings.Repeat("  X-A: b\n", bounds.MaxBlockKeys+1) + minimal))
	f.Add([]byte(strings.Repeat("k", 4096) + ": [" + strings.Repeat("1,", 1000) + "1]\n" + minimal))
	f.Add(bodyScenario(16 << 10))
	f.Add([]byte("description: |\n  [[[{{\n  - a: b\nname: 'it''s [' # [\nhost: \"\\\" {\"\n" + minimal))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.yaml", data)
		if err != nil {
			var probs Problems
			if !errors.As(err, &probs) || len(probs) == 0 || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error is not Problems: %T %v", err, err)
			}
			for _, p := range probs {
				if p.File != "f.yaml" || p.Pos.Line < 1 || p.Pos.Column < 1 {
					t.Fatalf("problem without file:line:column: %#v", p)
				}
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("Parse accepted what Validate refuses: %v", err)
		}
		p, err := s.Plan(Options{Host: "http://127.0.0.1:1", Load: engine.Closed{Users: 1}, Duration: time.Second})
		if err != nil {
			return // e.g. fixed classes against an open load in the file
		}
		_ = p
		r := &reporter{pos: positions{}}
		c := s.compile(r)
		for i, cl := range c.classes {
			st := c.state(cl, testUser(1, s.classes[i].name))
			for _, steps := range append(append(cl.tasks, cl.onStart), cl.onStop) {
				for _, step := range steps {
					_ = st.render(step)
				}
			}
		}
	})
}

// FuzzParseWait checks that ParseWait never panics and that what it
// accepts is a valid engine.Wait.
func FuzzParseWait(f *testing.F) {
	for _, s := range []string{"none", "0", "2s", "constant 2s", "1s-3s", "between 1s 3s", "between(1, 3)", "pacing 5s", "throughput 0.5", "1-3", "-1s", "between 3s 1s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWait(s)
		if err == nil && w != nil {
			if verr := w.Validate(); verr != nil {
				t.Fatalf("ParseWait(%q) = %#v, which the engine refuses: %v", s, w, verr)
			}
		}
	})
}

// FuzzParseCSV checks that parseCSV never panics and that every row it
// returns has a value for every column.
func FuzzParseCSV(f *testing.F) {
	f.Add([]byte(accountsCSV))
	f.Add([]byte("\xef\xbb\xbfa,b\n\"x,y\",2\n"))
	f.Add([]byte("a\n\"\n"))
	f.Add([]byte("\x00,\x01\n\x00,\x00\n"))
	f.Add([]byte("a" + strings.Repeat(",a", 1000) + "\n"))
	f.Add([]byte("a\n\"" + strings.Repeat("x", 1<<16) + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cols, rows, err := parseCSV(bytes.NewReader(data), nil)
		if err != nil {
			return
		}
		for _, r := range rows {
			if len(r) != len(cols) {
				t.Fatalf("row %q for columns %q", r, cols)
			}
		}
	})
}
