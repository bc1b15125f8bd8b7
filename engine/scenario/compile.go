package scenario

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/scenario/internal/jsonpath"
	"github.com/soaklab/soak/engine/scenario/internal/template"
	"github.com/soaklab/soak/probe/label"
)

// compiled is a scenario ready to run: templates, JSON paths and bodies
// compiled, names resolved. Plan builds one per call, so the run state it
// holds (round-robin counters) is per plan; each user's scratch state
// is in its engine.User.State.
type compiled struct {
	sources runSources
	classes []*runClass
}

// runSource is a data source with its round-robin counter.
type runSource struct {
	src  *source
	next atomic.Uint64
}

// runSources are the data sources of a compiled scenario, in the order
// of template.Scope.Sources; they are the Data templates render from.
type runSources []*runSource

// Row returns the row source i hands to u for one request.
func (rs runSources) Row(i int, u *engine.User) []string {
	s := rs[i]
	return s.src.rows[s.pick(u)]
}

// pick returns the row index the source hands to u for one request.
func (s *runSource) pick(u *engine.User) int {
	n := len(s.src.rows)
	switch s.src.order {
	case orderPerUser:
		return (u.ID - 1) % n
	case orderRoundRobin:
		// The turns of the whole plan: another engine's segment takes
		// the other turns.
		return int(u.Segment().Position(int64(s.next.Add(1)-1)) % int64(n))
	}
	return u.Rand.IntN(n)
}

type runClass struct {
	name     string
	defaults []runHeader // templated default headers, rendered per request
	vars     []runVar
	onStart  []*runStep
	onStop   []*runStep
	retry    *runRetry // nil: none
	tasks    [][]*runStep
	slots    int // header value slots a user of the class needs
}

type runHeader struct {
	name   string
	tpl    *template.Template
	slot   int      // value slot of a templated header; -1 when static
	static []string // the value of a static header
}

type runVar struct {
	name  string
	tpl   *template.Template
	field string
}

type runStep struct {
	method, name string
	url          *template.Template
	headers      []runHeader
	body         *template.Template
	contentType  []string // {"application/json"} for json: bodies without a Content-Type
	expect       []int
	checks       []runCheck
	captures     []runCapture
	field        string
}

type runCheck struct {
	path     *jsonpath.Path
	absent   bool
	equals   any // *template.Template (a string), float64, bool, jsonNull
	contains string
}

type runCapture struct {
	name string
	path *jsonpath.Path
}

var jsonContentType = []string{"application/json"}

// reservedHeaders are set by the transport; a scenario must not.
var reservedHeaders = []string{"Host", "Content-Length", "Transfer-Encoding", "Connection"}

// compile checks the classes, tasks and templates, reporting problems to r.
func (s *Scenario) compile(r *reporter) *compiled {
	c := &compiled{}
	for _, src := range s.data {
		c.sources = append(c.sources, &runSource{src: src})
	}
	seen := map[string]bool{}
	weights, allFixed := 0, true
	_, open := s.Load.(engine.Open)
	for _, cl := range s.classes {
		switch {
		case cl.broken:
		case cl.name == "" && cl.nameSet:
		case cl.name == "":
			r.field(join(cl.field, "name"), "missing: every class needs a name")
		case !label.Valid(cl.name):
			r.field(join(cl.field, "name"), "%q is not a valid name (1-%d letters, digits or -_.:/[]@+=~)", cl.name, label.MaxLen)
		case seen[cl.name]:
			r.field(join(cl.field, "name"), "%q is used by another class", cl.name)
		}
		seen[cl.name] = true
		if cl.fixed > 0 && open {
			r.field(join(cl.field, "fixed"), "fixed user counts do not apply to the open model (load: rate)")
		}
		if cl.fixed == 0 {
			weights += cl.weight
			allFixed = false
		}
	}
	// A top-level default header may use a variable any class sets; a
	// class that never sets it never sends the header.
	declared := make([]map[string]bool, len(s.classes))
	anyClass := map[string]bool{}
	for i, cl := range s.classes {
		declared[i] = s.classVars(cl, r)
		for v := range declared[i] {
			anyClass[v] = true
		}
	}
	sources := make([]template.Source, len(s.data))
	for i, src := range s.data {
		sources[i] = template.Source{Name: src.name, File: src.csvFile, Columns: src.columns}
	}
	for i, cl := range s.classes {
		c.classes = append(c.classes, s.compileClass(cl, sources, declared[i], anyClass, r))
	}
	if len(s.classes) > 0 && weights == 0 && !allFixed {
		r.field("classes", "the weights of the classes without fixed: sum to 0")
	}
	return c
}

// classVars returns the per-user variables a class sets (vars:) or
// captures anywhere (on_start, tasks, on_stop).
func (s *Scenario) classVars(cl *class, r *reporter) map[string]bool {
	vars := map[string]bool{}
	declare := func(name, field string) {
		for _, src := range s.data {
			if src.name == name {
				r.field(field, "variable %q has the name of a data source; rename one", name)
			}
		}
		vars[name] = true
	}
	for _, v := range cl.vars {
		declare(v.name, v.field)
	}
	all := append(append(append([]*step(nil), cl.onStart...), cl.onStop...), flatten(cl.tasks)...)
	if cl.retry != nil {
		all = append(all, cl.retry.steps...)
	}
	for _, st := range all {
		for _, cp := range st.captures {
			declare(cp.name, cp.field)
		}
	}
	return vars
}

// compileClass compiles one class; its scope is the data sources and the
// variables it declares, and for top-level headers those any class does.
func (s *Scenario) compileClass(cl *class, sources []template.Source, vars, anyClass map[string]bool, r *reporter) *runClass {
	rc := &runClass{name: cl.name}
	sc := &template.Scope{Sources: sources, Vars: vars}
	for _, v := range cl.vars {
		if t := compileField(v.value, template.Raw, sc, v.field, r); t != nil {
			rc.vars = append(rc.vars, runVar{name: v.name, tpl: t, field: v.field})
		}
	}
	rc.defaults = compileDefaults(s.headers, cl.headers, &template.Scope{Sources: sources, Vars: anyClass}, sc, r, &rc.slots)
	base := rc.slots
	for _, st := range cl.onStart {
		rc.onStart = append(rc.onStart, compileStep(st, sc, r, base, &rc.slots))
	}
	for _, st := range cl.onStop {
		rc.onStop = append(rc.onStop, compileStep(st, sc, r, base, &rc.slots))
	}
	rc.retry = compileRetry(cl, rc, func(st *step) *runStep { return compileStep(st, sc, r, base, &rc.slots) }, r)
	sum := 0
	for _, t := range cl.tasks {
		var steps []*runStep
		for _, st := range t.steps {
			steps = append(steps, compileStep(st, sc, r, base, &rc.slots))
		}
		rc.tasks = append(rc.tasks, steps)
		sum += t.weight
	}
	if cl.broken {
		return rc
	}
	if len(cl.tasks) == 0 {
		r.field(join(cl.field, "tasks"), "empty: a class needs at least one task")
	} else if sum == 0 {
		r.field(join(cl.field, "tasks"), "every task has weight 0")
	}
	return rc
}

func flatten(tasks []*task) []*step {
	var out []*step
	for _, t := range tasks {
		out = append(out, t.steps...)
	}
	return out
}

// compileDefaults merges the scenario's and the class's default headers
// (the class's win), compiled in their scopes; static ones are compiled
// too, and Plan moves them to engine.Class.Header.
func compileDefaults(scen, cls []param, scenScope, clsScope *template.Scope, r *reporter, slots *int) []runHeader {
	var out []runHeader
	for i, list := range [][]param{scen, cls} {
		sc := scenScope
		if i == 1 {
			sc = clsScope
		}
		for _, h := range list {
			if !checkHeaderName(h, r) {
				continue
			}
			t := compileField(h.value, template.Raw, sc, h.field, r)
			if t == nil {
				continue
			}
			rh := runHeader{name: h.name, tpl: t, slot: -1}
			if i := indexHeader(out, h.name); i >= 0 {
				out[i] = rh
			} else {
				out = append(out, rh)
			}
		}
	}
	for i := range out {
		lit, static := out[i].tpl.Static()
		out[i].static = []string{lit}
		if !static {
			out[i].slot = *slots
			*slots++
		}
	}
	return out
}

func indexHeader(hs []runHeader, name string) int {
	for i, h := range hs {
		if h.name == name {
			return i
		}
	}
	return -1
}

func checkHeaderName(h param, r *reporter) bool {
	for _, res := range reservedHeaders {
		if h.name == res {
			r.field(h.field, "header %s is set by soak's transport; remove it", h.name)
			return false
		}
	}
	if err := checkToken(h.name); err != nil {
		r.field(h.field, "header name %q: %v", h.name, err)
		return false
	}
	return true
}

// checkToken reports a string that is not an HTTP token (RFC 9110).
func checkToken(s string) error {
	if s == "" {
		return errors.New("empty")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return fmt.Errorf("%q is not allowed in an HTTP token", c)
		}
	}
	return nil
}

// compileField compiles a template, reporting a problem at field.
func compileField(text string, esc template.Escaper, sc *template.Scope, field string, r *reporter) *template.Template {
	t, err := template.Compile(text, esc, sc)
	if err != nil {
		r.field(field, "%s", templateMsg(err))
		return nil
	}
	return t
}

// templateMsg is a template's compile error as a problem's message.
func templateMsg(err error) string {
	var te *template.Error
	if errors.As(err, &te) {
		return te.Msg
	}
	return err.Error()
}

// defaultName is the grouping name of a request without name: its path
// template without the query, each {{x}} written [x]
// ("/api/stories/{{slug}}" groups as "/api/stories/[slug]").
func defaultName(path string) string {
	path, _, _ = strings.Cut(path, "?")
	var b strings.Builder
	for {
		i := strings.Index(path, "{{")
		j := strings.Index(path, "}}")
		if i < 0 || j < i {
			b.WriteString(path)
			return b.String()
		}
		b.WriteString(path[:i])
		b.WriteString("[" + strings.TrimSpace(path[i+2:j]) + "]")
		path = path[j+2:]
	}
}
