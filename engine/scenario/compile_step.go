package scenario

import (
	"strconv"
	"strings"

	"github.com/soaklab/soak/engine/scenario/internal/jsonpath"
)

// compileStep compiles one request. Its templated headers use the value
// slots from base on; slots grows to the most any request needs.
func compileStep(st *step, sc *scope, r *reporter, base int, slots *int) *runStep {
	rs := &runStep{method: st.method, name: st.name, expect: st.status, field: st.field}
	if err := checkToken(st.method); err != nil {
		r.field(join(st.field, "method"), "%q is not an HTTP method: %v", st.method, err)
	}
	rs.url = compileURL(st, sc, r)
	if rs.name == "" {
		rs.name = defaultName(st.path)
	}
	next := base
	for _, h := range st.headers {
		if !checkHeaderName(h, r) {
			continue
		}
		t := compileField(h.value, escNone, sc, h.field, r)
		if t == nil {
			continue
		}
		rh := runHeader{name: h.name, tpl: t, slot: -1, static: []string{t.lit}}
		if !t.static {
			rh.slot = next
			next++
		}
		rs.headers = append(rs.headers, rh)
	}
	*slots = max(*slots, next)
	switch {
	case st.json != nil:
		t := &template{text: "json"}
		if compileJSON(t, st.json, sc, join(st.field, "json"), r) {
			t.finish()
			rs.body = t
		}
		if indexStepHeader(st.headers, "Content-Type") < 0 {
			rs.contentType = jsonContentType
		}
	case st.body != nil:
		rs.body = compileField(*st.body, escNone, sc, join(st.field, "body"), r)
	}
	for _, c := range st.checks {
		rs.checks = append(rs.checks, compileCheck(c, sc, r))
	}
	for _, cp := range st.captures {
		p, err := jsonpath.Compile(cp.value)
		if err != nil {
			r.field(cp.field, "%v", err)
			continue
		}
		rs.captures = append(rs.captures, runCapture{name: cp.name, path: p})
	}
	return rs
}

func indexStepHeader(hs []param, name string) int {
	for i, h := range hs {
		if h.name == name {
			return i
		}
	}
	return -1
}

// compileURL compiles the path and query into one template.
func compileURL(st *step, sc *scope, r *reporter) *template {
	f := join(st.field, "path")
	switch {
	case st.path == "":
		return nil // reported by the decoder: no request
	case strings.HasPrefix(st.path, "http://") || strings.HasPrefix(st.path, "https://"):
		r.field(f, "%q is a URL; write the path (/...) and put the scheme and host in host:", redactURL(st.path))
		return nil
	case !strings.HasPrefix(st.path, "/"):
		r.field(f, "%q must start with \"/\"", st.path)
		return nil
	}
	t := &template{text: st.path}
	if err := t.add(st.path, escPath, sc); err != nil {
		r.field(f, "%s", strings.TrimPrefix(err.Error(), "template: "))
		return nil
	}
	t.flush()
	for _, p := range t.parts {
		if p.kind == refNone && strings.ContainsAny(p.lit, " \t\r\n#") {
			r.field(f, "%q contains a space, line break or #; write %%20 for a space", st.path)
			return nil
		}
	}
	sep := "?"
	if strings.Contains(st.path, "?") {
		sep = "&"
	}
	ok := true
	for _, q := range st.query {
		t.addLit(sep + escapeLit(q.name, escQuery) + "=")
		sep = "&"
		if err := t.add(q.value, escQuery, sc); err != nil {
			r.field(q.field, "%s", strings.TrimPrefix(err.Error(), "template: "))
			ok = false
		}
	}
	if !ok {
		return nil
	}
	t.finish()
	return t
}

// compileJSON appends the JSON text of v to t: structure and literals as
// text, strings as templates escaped for JSON. It stops, false, once the
// reporter's context is done.
func compileJSON(t *template, v any, sc *scope, field string, r *reporter) bool {
	switch x := v.(type) {
	case jsonObject:
		t.addLit("{")
		ok := true
		for i, m := range x {
			if r.canceled() {
				return false
			}
			if i > 0 {
				t.addLit(",")
			}
			t.addLit("\"" + string(appendJSONString(nil, m.key)) + "\":")
			ok = compileJSON(t, m.value, sc, join(field, m.key), r) && ok
		}
		t.addLit("}")
		return ok
	case []any:
		t.addLit("[")
		ok := true
		for i, e := range x {
			if r.canceled() {
				return false
			}
			if i > 0 {
				t.addLit(",")
			}
			ok = compileJSON(t, e, sc, index(field, i), r) && ok
		}
		t.addLit("]")
		return ok
	case string:
		t.addLit("\"")
		if err := t.add(x, escJSON, sc); err != nil {
			r.field(field, "%s", strings.TrimPrefix(err.Error(), "template: "))
			return false
		}
		t.addLit("\"")
	case jsonNumber:
		t.addLit(string(x))
	case bool:
		t.addLit(strconv.FormatBool(x))
	default:
		t.addLit("null")
	}
	return true
}

// compileCheck compiles one check.
func compileCheck(c check, sc *scope, r *reporter) runCheck {
	rc := runCheck{absent: c.absent, contains: c.contains}
	if c.path != "" {
		p, err := jsonpath.Compile(c.path)
		if err != nil {
			r.field(join(c.field, "json"), "%v", err)
		}
		rc.path = p
	}
	switch e := c.equals.(type) {
	case string:
		if t := compileField(e, escNone, sc, join(c.field, "equals"), r); t != nil {
			rc.equals = t
		}
	case jsonNumber:
		f, _ := strconv.ParseFloat(string(e), 64)
		rc.equals = f
	case nil:
	default:
		rc.equals = e
	}
	return rc
}
