package scenario

import (
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// class decodes one user class.
func (d *decoder) class(n ast.Node, field string) *class {
	c := &class{field: field, weight: 1}
	defer func() { c.nameSet = d.pos[join(field, "name")] != (Pos{}) }()
	var tasksNode ast.Node
	tasksSeen, weightSet := false, false
	c.broken = !d.fieldSet(n, field, map[string]func(ast.Node, string){
		"name": func(v ast.Node, f string) { c.name, _ = d.str(v, f) },
		"weight": func(v ast.Node, f string) {
			setIf(&c.weight)(d.integer(v, f, 0, 1_000_000))
			weightSet = true
		},
		"fixed": func(v ast.Node, f string) { setIf(&c.fixed)(d.integer(v, f, 1, 1_000_000)) },
		"wait": func(v ast.Node, f string) {
			c.wait, c.waitSet = d.wait(v, f)
		},
		"headers":    func(v ast.Node, f string) { c.headers = d.headers(v, f) },
		"sequential": func(v ast.Node, f string) { c.sequential, _ = d.boolean(v, f) },
		"vars":       func(v ast.Node, f string) { c.vars = d.params(v, f, d.value) },
		"on_start":   func(v ast.Node, f string) { c.onStart = d.steps(v, f) },
		"on_stop":    func(v ast.Node, f string) { c.onStop = d.steps(v, f) },
		"retry":      func(v ast.Node, f string) { c.retry = d.retry(v, f) },
		"tasks":      func(v ast.Node, f string) { tasksNode, tasksSeen = v, true },
	})
	if weightSet && c.fixed > 0 {
		d.field(join(field, "fixed"), "set together with weight; a class has a weight or a fixed count")
	}
	if !tasksSeen {
		return c // compile reports the class without tasks
	}
	items, _ := d.list(tasksNode, join(field, "tasks"))
	for i, it := range items {
		c.tasks = append(c.tasks, d.task(it, index(join(field, "tasks"), i)))
	}
	return c
}

// steps decodes a list of requests (on_start, on_stop, a task's steps).
func (d *decoder) steps(n ast.Node, field string) []*step {
	items, _ := d.list(n, field)
	var out []*step
	for i, it := range items {
		st := &step{field: index(field, i)}
		fs := d.stepFields(st, nil)
		fs["name"] = func(v ast.Node, f string) { st.name, _ = d.str(v, f) }
		d.fieldSet(it, st.field, fs)
		d.finishStep(st)
		out = append(out, st)
	}
	return out
}

// task decodes one task: a request (its fields inline) or a sequence of
// requests ("steps:"), with a weight (default 1).
func (d *decoder) task(n ast.Node, field string) *task {
	t := &task{field: field, weight: 1}
	inline := &step{field: field}
	inlineSet := ""
	var stepsNode ast.Node
	stepsSeen := false
	fs := d.stepFields(inline, &inlineSet)
	fs["name"] = func(v ast.Node, f string) {
		t.name, _ = d.str(v, f)
		inline.name = t.name
	}
	fs["weight"] = func(v ast.Node, f string) { setIf(&t.weight)(d.integer(v, f, 0, 1_000_000)) }
	fs["steps"] = func(v ast.Node, f string) { stepsNode, stepsSeen = v, true }
	if !d.fieldSet(n, field, fs) {
		return t
	}
	switch {
	case stepsSeen && inlineSet != "":
		d.field(join(field, inlineSet), "a task is one request or a list of steps, not both")
	case stepsSeen:
		t.steps = d.steps(stepsNode, join(field, "steps"))
		if len(t.steps) == 0 {
			d.field(join(field, "steps"), "empty: give at least one request")
		}
	default:
		d.finishStep(inline)
		t.steps = []*step{inline}
		t.name = "" // the request's grouping name; Plan names the task "METHOD name"
	}
	return t
}

// shorthands are the method keys: "get: /path" is method GET, path /path.
var shorthands = []string{"get", "post", "put", "patch", "delete", "head", "options"}

// stepFields returns the field decoders of a request; set, when not nil,
// receives the name of a field that was present.
func (d *decoder) stepFields(st *step, set *string) map[string]func(ast.Node, string) {
	mark := func(f string) {
		if set != nil && *set == "" {
			*set = f[strings.LastIndexByte(f, '.')+1:]
		}
	}
	var methodAt string
	fs := map[string]func(ast.Node, string){
		"method": func(v ast.Node, f string) {
			mark(f)
			if m, ok := d.str(v, f); ok {
				d.setMethod(st, strings.ToUpper(m), f, &methodAt)
			}
		},
		"path": func(v ast.Node, f string) {
			mark(f)
			st.path, _ = d.str(v, f)
		},
		"query": func(v ast.Node, f string) {
			mark(f)
			st.query = d.params(v, f, d.value)
		},
		"headers": func(v ast.Node, f string) {
			mark(f)
			st.headers = d.headers(v, f)
		},
		"json": func(v ast.Node, f string) {
			mark(f)
			st.json = d.jsonValue(v, f, 0)
		},
		"body": func(v ast.Node, f string) {
			mark(f)
			if b, ok := d.str(v, f); ok {
				st.body = &b
			}
		},
		"status":  func(v ast.Node, f string) { mark(f); st.status = d.statuses(v, f) },
		"check":   func(v ast.Node, f string) { mark(f); st.checks = d.checks(v, f) },
		"capture": func(v ast.Node, f string) { mark(f); st.captures = d.captures(v, f) },
	}
	for _, sh := range shorthands {
		method := strings.ToUpper(sh)
		fs[sh] = func(v ast.Node, f string) {
			mark(f)
			d.pos[strings.TrimSuffix(f, sh)+"path"] = posOf(v)
			d.setMethod(st, method, f, &methodAt)
			if p, ok := d.str(v, f); ok {
				if st.path != "" {
					d.field(f, "path given twice (a method key such as get: holds the path)")
				}
				st.path = p
			}
		}
	}
	return fs
}

func (d *decoder) setMethod(st *step, m, field string, at *string) {
	if *at != "" {
		d.field(field, "method given twice (also at %s)", *at)
		return
	}
	*at, st.method = field, m
}

// finishStep checks that a request has a path and a literal name.
func (d *decoder) finishStep(st *step) {
	if strings.Contains(st.name, "{{") {
		d.field(join(st.field, "name"), "%q: a grouping name is literal, not a template (one name per group): write %s", st.name, defaultName(st.name))
	}
	if st.path == "" {
		d.field(st.field, "no request: give path: (with method:) or a method key such as get: /path")
	}
	if st.method == "" {
		st.method = "GET"
	}
	if st.json != nil && st.body != nil {
		d.field(join(st.field, "body"), "both json and body; give one")
	}
}

// statuses decodes "status: 200" or "status: [200, 201]".
func (d *decoder) statuses(n ast.Node, field string) []int {
	if _, isList := d.resolve(n, field).(*ast.SequenceNode); !isList {
		if v, ok := d.integer(n, field, 100, 599); ok {
			return []int{v}
		}
		return nil
	}
	items, _ := d.list(n, field)
	out := []int{}
	for i, it := range items {
		if v, ok := d.integer(it, index(field, i), 100, 599); ok {
			out = append(out, v)
		}
	}
	if len(out) == 0 && len(items) == 0 {
		d.field(field, "empty list: give at least one status")
	}
	return out
}
