package locustfile

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/soaklab/soak/engine/scenario"
)

// ErrNoUserClass is Read's error for a file without a user class
// (class X(HttpUser), FastHttpUser or User).
var ErrNoUserClass = errors.New("locustfile: no user class (class Name(HttpUser)) found")

// File is what Read understood of a locustfile.
type File struct {
	Classes []Class
	Notes   []Note // what the sketch leaves to the user, file-wide
}

// Class is a user class.
type Class struct {
	Name    string
	Line    int
	Weight  int    // 0: not set (soak's default, 1)
	Fixed   int    // fixed_count; 0: not set
	Wait    string // a wait soak reads ("between(1, 3)"); "" when not set or not understood
	Host    string
	Vars    []Var // self.x = ... in on_start: a per-user variable
	OnStart []Request
	OnStop  []Request
	Tasks   []Task
	Retry   int // the line of a status_code check for 401 (Locust's ensure_login); 0: none
	Notes   []Note
}

// Var is a per-user variable on_start sets (self.username = "user%04d" %
// random.randint(1, 1000)), as a template.
type Var struct {
	Name, Template string
	Line           int
}

// Task is a task of a class: a @task method, or an entry of tasks =.
type Task struct {
	Name     string
	Line     int
	Weight   int
	Requests []Request
	Notes    []Note
}

// Request is a request a task makes through self.client.
type Request struct {
	Method string // "GET", "POST", ...
	Path   string // a soak template: f"/s/{slug}" reads "/s/{{slug}}"
	Name   string // the name= argument
	Line   int
	Notes  []Note // what to finish: its body, its query, its check
}

// Note is something the sketch could not translate, with its line.
type Note struct {
	Line int
	Text string
}

var (
	classLine = regexp.MustCompile(`^class\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*:`)
	defLine   = regexp.MustCompile(`^(?:async\s+)?def\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(`)
	assign    = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=]*)?=\s*(.+)$`)
	taskDeco  = regexp.MustCompile(`^@(?:locust\.)?task\s*(?:\(\s*(?:weight\s*=\s*)?(\d+)?\s*\))?\s*$`)
	selfCall  = regexp.MustCompile(`\bself\.([A-Za-z_][A-Za-z0-9_]*)\s*\(`)
	selfSet   = regexp.MustCompile(`^self\.([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$`)
	status401 = regexp.MustCompile(`status(?:_code)?\s*(?:==|in)\s*[\[(]?\s*(?:\d+\s*,\s*)*401\b`)
)

// Read reads src, a locustfile, at most MaxBytes of it.
func Read(src []byte) (*File, error) {
	if len(src) > MaxBytes {
		src = src[:MaxBytes]
	}
	lines := logicalLines(src)
	f := &File{}
	left := &budget{calls: maxCalls, requests: maxTotalRequests}
	for i := 0; i < len(lines); i++ {
		m := classLine.FindStringSubmatch(lines[i].text)
		if m == nil {
			continue
		}
		end := blockEnd(lines, i)
		switch {
		case !isUserClass(m[2]):
			if strings.Contains(m[2], "TaskSet") {
				f.Notes = append(f.Notes, Note{lines[i].num, "TaskSet " + m[1] + ": write its tasks in the class that uses it (sequential: true for a SequentialTaskSet)"})
			}
		case len(f.Classes) == maxClasses:
			f.Notes = append(f.Notes, Note{lines[i].num, "more user classes than " + strconv.Itoa(maxClasses) + ": the rest are left out"})
		default:
			if c, ok := readClass(m[1], lines[i].num, lines[i+1:end], left); ok {
				f.Classes = append(f.Classes, c)
			}
		}
		i = end - 1
	}
	if len(f.Classes) == 0 {
		return nil, ErrNoUserClass
	}
	return f, nil
}

// isUserClass reports whether a class's bases name a Locust user.
func isUserClass(bases string) bool {
	for _, b := range strings.Split(bases, ",") {
		b = strings.TrimSpace(b)
		b = b[strings.LastIndexByte(b, '.')+1:]
		if b == "User" || b == "HttpUser" || b == "FastHttpUser" {
			return true
		}
	}
	return false
}

// blockEnd returns the index after the block that lines[i] opens: the
// lines indented more than it.
func blockEnd(lines []line, i int) int {
	j := i + 1
	for j < len(lines) && lines[j].indent > lines[i].indent {
		j++
	}
	return j
}

// method is a def of a class: its body, and its @task weight.
type method struct {
	name   string
	num    int
	body   []line
	task   bool
	weight int
	calls  []call // read once, by extractor.calls
}

// readClass reads a class's body; ok is false for an abstract class.
func readClass(name string, num int, body []line, left *budget) (Class, bool) {
	c := Class{Name: name, Line: num}
	methods := map[string]*method{}
	var order []*method
	var tasksAttr *line
	weight, isTask := 0, false
	for i := 0; i < len(body); i++ {
		l := body[i]
		if l.indent > body[0].indent {
			continue // inside a method read below
		}
		if m := taskDeco.FindStringSubmatch(l.text); m != nil {
			isTask, weight = true, 1
			if m[1] != "" {
				weight, _ = strconv.Atoi(m[1])
			}
			continue
		}
		if strings.HasPrefix(l.text, "@") {
			continue // another decorator (@tag)
		}
		if m := defLine.FindStringSubmatch(l.text); m != nil {
			end := blockEnd(body, i)
			me := &method{name: m[1], num: l.num, body: body[i+1 : end], task: isTask, weight: weight}
			methods[me.name] = me
			order = append(order, me)
			isTask, weight = false, 0
			i = end - 1
			continue
		}
		isTask = false
		m := assign.FindStringSubmatch(l.text)
		if m == nil {
			continue
		}
		switch v := strings.TrimSpace(m[2]); m[1] {
		case "abstract":
			if v == "True" {
				return c, false
			}
		case "weight":
			c.Weight, _ = strconv.Atoi(v)
		case "fixed_count":
			c.Fixed, _ = strconv.Atoi(v)
		case "host":
			if s, f, ok := pyLiteral(v); ok && !f {
				c.Host = s
			}
		case "wait_time":
			if _, err := scenario.ParseWait(v); err == nil && !strings.ContainsAny(v, "\n#") {
				c.Wait = v
			} else {
				c.Notes = append(c.Notes, Note{l.num, "wait_time = " + v + ": write its wait (docs/scenarios.md#wait)"})
			}
		case "tasks":
			tasksAttr = &body[i]
		}
	}
	x := &extractor{methods: methods, budget: left}
	for _, me := range order {
		switch {
		case me.name == "on_start":
			c.OnStart, _ = x.requests(me, 0)
			c.Vars = varsOf(me)
		case me.name == "on_stop":
			c.OnStop, _ = x.requests(me, 0)
		case me.task && len(c.Tasks) < maxTasks:
			reqs, notes := x.requests(me, 0)
			c.Tasks = append(c.Tasks, Task{Name: me.name, Line: me.num, Weight: me.weight, Requests: reqs, Notes: notes})
		}
	}
	if tasksAttr != nil {
		c.Tasks = append(c.Tasks, tasksOf(tasksAttr, methods, x)...)
	}
	for _, l := range body {
		if status401.MatchString(l.text) {
			c.Retry = l.num
			break
		}
	}
	return c, true
}

// varsOf returns the per-user variables on_start sets from what a
// template can build: strings, random numbers, uuids.
func varsOf(me *method) []Var {
	var out []Var
	for _, l := range me.body {
		m := selfSet.FindStringSubmatch(l.text)
		if m == nil || strings.Contains(m[2], "self.client") || strings.Contains(m[2], ".json(") || len(out) == maxTasks {
			continue
		}
		if t, exact := (scope{}).text(m[2]); exact && len(t) <= maxTextBytes {
			out = append(out, Var{Name: m[1], Template: t, Line: l.num})
		}
	}
	return out
}

// tasksOf reads tasks = [a, b] or tasks = {a: 3, b: 1}.
func tasksOf(l *line, methods map[string]*method, x *extractor) []Task {
	v := strings.TrimSpace(l.text[strings.IndexByte(l.text, '=')+1:])
	var out []Task
	for _, item := range splitArgs(strings.Trim(v, "[]{}() ")) {
		name, w, hasWeight := strings.Cut(item, ":")
		name = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), "self."))
		if s, f, ok := pyLiteral(name); ok && !f {
			name = s
		}
		if len(name) > maxTextBytes {
			name = name[:maxTextBytes]
		}
		weight := 1
		if hasWeight {
			weight, _ = strconv.Atoi(strings.TrimSpace(w))
		}
		t := Task{Name: name, Line: l.num, Weight: weight}
		if me := methods[name]; me != nil {
			t.Requests, t.Notes = x.requests(me, 0)
		} else {
			t.Notes = append(t.Notes, Note{l.num, name + ": a task defined elsewhere (a function or a TaskSet): write its requests"})
		}
		if len(out) == maxTasks {
			break
		}
		out = append(out, t)
	}
	return out
}
