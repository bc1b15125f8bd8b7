package scenario

import (
	"slices"

	"github.com/goccy/go-yaml/ast"
)

// retryRule is a class's "retry:", Locust's ensure_login: when a task's
// request is answered with one of statuses (a 401 once the session
// expired), the user runs steps (the class's on_start again, its login,
// by default), then sends the request once more.
type retryRule struct {
	statuses []int
	steps    []*step // run: a list of requests; nil for on_start
	onStart  bool    // run: on_start (the default)
	field    string
}

// retry decodes "retry:": status (one or a list, 400-599) and run
// (on_start, or a list of requests).
func (d *decoder) retry(n ast.Node, field string) *retryRule {
	rr := &retryRule{field: field, onStart: true}
	statusSeen := false
	d.fieldSet(n, field, map[string]func(ast.Node, string){
		"status": func(v ast.Node, f string) {
			statusSeen = true
			rr.statuses = d.statuses(v, f)
			for _, s := range rr.statuses {
				if s < 400 {
					d.field(f, "%d is not a failure; a retry answers a status of 400-599, such as 401", s)
				}
			}
		},
		"run": func(v ast.Node, f string) {
			if _, isList := d.resolve(v, f).(*ast.SequenceNode); isList {
				rr.steps, rr.onStart = d.steps(v, f), false
				return
			}
			if s, ok := d.str(v, f); !ok || s != "on_start" {
				rr.onStart = false // reported: no follow-on problem about on_start
				if ok {
					d.field(f, "%q: write on_start (the class's on_start again) or a list of requests", s)
				}
			}
		},
	})
	if !statusSeen {
		d.field(field, "no status: give the statuses that trigger the retry, such as status: 401")
	}
	return rr
}

// runRetry is a compiled retry rule.
type runRetry struct {
	statuses []int
	steps    []*runStep
}

// compileRetry compiles cl's retry rule, if any, once its on_start is
// compiled into rc.
func compileRetry(cl *class, rc *runClass, compile func(*step) *runStep, r *reporter) *runRetry {
	rr := cl.retry
	if rr == nil {
		return nil
	}
	out := &runRetry{statuses: rr.statuses}
	if !rr.onStart {
		for _, st := range rr.steps {
			out.steps = append(out.steps, compile(st))
		}
		return out
	}
	if len(cl.onStart) == 0 && !cl.broken {
		r.field(join(rr.field, "run"), "on_start (the default) is empty in this class: give the requests to run before the retry")
	}
	out.steps = rc.onStart
	return out
}

// matches reports whether a response's status triggers the rule.
func (rr *runRetry) matches(status int) bool {
	return rr != nil && status != 0 && slices.Contains(rr.statuses, status)
}
