package scenario

import (
	"strconv"
	"strings"

	"github.com/soaklab/soak/engine/scenario/internal/jsonpath"
	"github.com/soaklab/soak/engine/scenario/internal/template"
	"github.com/soaklab/soak/internal/redact"
)

// compileStep compiles one request. Its templated headers use the value
// slots from base on; slots grows to the most any request needs.
func compileStep(st *step, sc *template.Scope, r *reporter, base int, slots *int) *runStep {
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
		t := compileField(h.value, template.Raw, sc, h.field, r)
		if t == nil {
			continue
		}
		lit, static := t.Static()
		rh := runHeader{name: h.name, tpl: t, slot: -1, static: []string{lit}}
		if !static {
			rh.slot = next
			next++
		}
		rs.headers = append(rs.headers, rh)
	}
	*slots = max(*slots, next)
	switch {
	case st.json != nil:
		t := template.New()
		if compileJSON(t, st.json, sc, join(st.field, "json"), r) {
			t.Finish()
			rs.body = t
		}
		if indexStepHeader(st.headers, "Content-Type") < 0 {
			rs.contentType = jsonContentType
		}
	case st.body != nil:
		rs.body = compileField(*st.body, template.Raw, sc, join(st.field, "body"), r)
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
func compileURL(st *step, sc *template.Scope, r *reporter) *template.Template {
	f := join(st.field, "path")
	switch {
	case st.path == "":
		return nil // reported by the decoder: no request
	case strings.HasPrefix(st.path, "http://") || strings.HasPrefix(st.path, "https://"):
		r.field(f, "%q is a URL; write the path (/...) and put the scheme and host in host:", redact.URL(st.path))
		return nil
	case !strings.HasPrefix(st.path, "/"):
		r.field(f, "%q must start with \"/\"", st.path)
		return nil
	}
	t := template.New()
	if err := t.Add(st.path, template.InPath, sc); err != nil {
		r.field(f, "%s", templateMsg(err))
		return nil
	}
	if strings.ContainsAny(template.Literal(st.path), " \t\r\n#") {
		r.field(f, "%q contains a space, line break or #; write %%20 for a space", st.path)
		return nil
	}
	sep := "?"
	if strings.Contains(st.path, "?") {
		sep = "&"
	}
	ok := true
	for _, q := range st.query {
		t.AddLit(sep, template.Raw)
		t.AddLit(q.name, template.InQuery)
		t.AddLit("=", template.Raw)
		sep = "&"
		if err := t.Add(q.value, template.InQuery, sc); err != nil {
			r.field(q.field, "%s", templateMsg(err))
			ok = false
		}
	}
	if !ok {
		return nil
	}
	t.Finish()
	return t
}

// compileJSON appends the JSON text of v to t: structure and literals as
// text, strings as templates escaped for JSON. It stops, false, once the
// reporter's context is done.
func compileJSON(t *template.Template, v any, sc *template.Scope, field string, r *reporter) bool {
	switch x := v.(type) {
	case jsonObject:
		t.AddLit("{", template.Raw)
		ok := true
		for i, m := range x {
			if r.canceled() {
				return false
			}
			if i > 0 {
				t.AddLit(",", template.Raw)
			}
			t.AddLit("\"", template.Raw)
			t.AddLit(m.key, template.InJSON)
			t.AddLit("\":", template.Raw)
			ok = compileJSON(t, m.value, sc, join(field, m.key), r) && ok
		}
		t.AddLit("}", template.Raw)
		return ok
	case []any:
		t.AddLit("[", template.Raw)
		ok := true
		for i, e := range x {
			if r.canceled() {
				return false
			}
			if i > 0 {
				t.AddLit(",", template.Raw)
			}
			ok = compileJSON(t, e, sc, index(field, i), r) && ok
		}
		t.AddLit("]", template.Raw)
		return ok
	case string:
		t.AddLit("\"", template.Raw)
		if err := t.Add(x, template.InJSON, sc); err != nil {
			r.field(field, "%s", templateMsg(err))
			return false
		}
		t.AddLit("\"", template.Raw)
	case jsonNumber:
		t.AddLit(string(x), template.Raw)
	case bool:
		t.AddLit(strconv.FormatBool(x), template.Raw)
	default:
		t.AddLit("null", template.Raw)
	}
	return true
}

// compileCheck compiles one check.
func compileCheck(c check, sc *template.Scope, r *reporter) runCheck {
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
		if t := compileField(e, template.Raw, sc, join(c.field, "equals"), r); t != nil {
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
