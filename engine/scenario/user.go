package scenario

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/scenario/internal/jsonpath"
	"github.com/soaklab/soak/engine/scenario/internal/template"
)

// start is a class's OnStart: it sets the user's vars: in order, then
// runs the on_start requests; a failure stops the user (the engine's
// rule for a failed OnStart, such as a refused login).
func (c *compiled) start(cls *runClass) engine.TaskFunc {
	return func(ctx context.Context, u *engine.User) error {
		st := c.state(cls, u)
		for _, v := range cls.vars {
			st.rend.Reset()
			b, err := v.tpl.AppendTo(st.buf[:0], &st.rend)
			st.buf = b
			if err != nil {
				return fmt.Errorf("scenario: %s: %w", v.field, err)
			}
			u.Vars[v.name] = string(b)
		}
		return st.run(ctx, cls.onStart)
	}
}

// stop is a class's OnStop: the on_stop requests.
func (c *compiled) stop(cls *runClass) engine.TaskFunc {
	return func(ctx context.Context, u *engine.User) error {
		return c.state(cls, u).run(ctx, cls.onStop)
	}
}

// taskFunc runs one task's requests in order, under the class's retry
// rule.
func (c *compiled) taskFunc(cls *runClass, steps []*runStep) engine.TaskFunc {
	return func(ctx context.Context, u *engine.User) error {
		st := c.state(cls, u)
		for _, s := range steps {
			status, err := st.send(ctx, s)
			if cls.retry.matches(status) {
				// The answer (a 401) is recorded as what it was; the
				// retry rule's steps (a login) run, then the request once
				// more, rendered afresh (with the new token).
				if err := st.run(ctx, cls.retry.steps); err != nil {
					return err
				}
				_, err = st.send(ctx, s)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
}

// run sends steps in order; the first failure ends the sequence (later
// steps may depend on its captures). A failed request's error is already
// recorded by the engine.
func (st *userState) run(ctx context.Context, steps []*runStep) error {
	for _, s := range steps {
		if _, err := st.send(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// send renders one request and sends it. It returns the response's
// status (0 when none came) with the request's error.
func (st *userState) send(ctx context.Context, s *runStep) (int, error) {
	if err := st.render(s); err != nil {
		return 0, err
	}
	st.step = s
	resp, err := st.u.Do(ctx, &st.req)
	st.step = nil
	if resp == nil {
		return 0, err
	}
	return resp.Status, err
}

// render fills st.req for s: rows picked afresh, headers, path with
// query, and body, rendered into the user's reused buffers.
func (st *userState) render(s *runStep) error {
	st.rend.Reset()
	clear(st.hdr)
	for i := range st.cls.defaults {
		h := &st.cls.defaults[i]
		if h.slot < 0 {
			continue // static: in the engine.Class's Header
		}
		err := st.setHeader(h)
		if _, unset := err.(*template.UnsetError); unset {
			continue // sent once its variables are set (after the login)
		}
		if err != nil {
			return fmt.Errorf("scenario: %s: header %s: %w", s.field, h.name, err)
		}
	}
	for i := range s.headers {
		if err := st.setHeader(&s.headers[i]); err != nil {
			return fmt.Errorf("scenario: %s: header %s: %w", s.field, s.headers[i].name, err)
		}
	}
	if s.contentType != nil {
		_, set := st.hdr["Content-Type"]
		_, byClass := st.u.Header["Content-Type"] // a static default of the class
		if !set && !byClass {
			st.hdr["Content-Type"] = s.contentType
		}
	}
	q := &st.req
	q.Method, q.Name, q.Expect, q.Header = s.method, s.name, s.expect, st.hdr
	if path, static := s.url.Static(); static {
		q.Path = path
	} else {
		b, err := s.url.AppendTo(st.buf[:0], &st.rend)
		st.buf = b
		if err != nil {
			return fmt.Errorf("scenario: %s: path: %w", s.field, err)
		}
		q.Path = string(b)
	}
	q.Body = nil
	if s.body != nil {
		b, err := s.body.AppendTo(st.body[:0], &st.rend)
		st.body = b
		if err != nil {
			return fmt.Errorf("scenario: %s: body: %w", s.field, err)
		}
		q.Body = b
	}
	q.Check = nil
	if len(s.checks) > 0 || len(s.captures) > 0 {
		q.Check = st.check
	}
	return nil
}

// setHeader renders h into its slot (or its static value) in st.hdr. A
// slot keeps its string while the rendering does not change, so a
// constant "Bearer <token>" costs no allocation per request.
func (st *userState) setHeader(h *runHeader) error {
	if h.slot < 0 {
		st.hdr[h.name] = h.static
		return nil
	}
	b, err := h.tpl.AppendTo(st.buf[:0], &st.rend)
	st.buf = b
	if err != nil {
		return err
	}
	slot := st.slots[h.slot]
	if slot[0] != string(b) {
		slot[0] = string(b)
	}
	st.hdr[h.name] = slot
	return nil
}

// checkResponse is the engine.Request.Check of a step with checks or
// captures: a failed check or capture fails the request as KindCheck.
// Messages name the path, never a value (values may be secrets, and
// distinct messages would not aggregate).
func (st *userState) checkResponse(resp *engine.Response) error {
	s := st.step
	if resp.Truncated && (len(s.checks) > 0 || len(s.captures) > 0) {
		return errors.New("body truncated (Transport.MaxBodyBytes); cannot check it")
	}
	for i := range s.checks {
		if err := st.checkOne(&s.checks[i], resp.Body); err != nil {
			return err
		}
	}
	for _, cp := range s.captures {
		var v []byte
		var n int
		if cp.path.Wild() {
			v, n = cp.path.Pick(resp.Body, st.u.Rand)
		} else {
			v, n = cp.path.Match(resp.Body, 0)
		}
		if n == 0 || v == nil {
			return fmt.Errorf("capture %s: %s matched nothing", cp.name, cp.path)
		}
		if string(v) == "null" {
			return fmt.Errorf("capture %s: %s is null", cp.name, cp.path)
		}
		text, ok := jsonpath.Text(v)
		if !ok {
			return fmt.Errorf("capture %s: %s is not valid JSON", cp.name, cp.path)
		}
		st.u.Vars[cp.name] = text
	}
	return nil
}

// checkOne applies one check to body.
func (st *userState) checkOne(c *runCheck, body []byte) error {
	if c.path == nil {
		if !bytes.Contains(body, []byte(c.contains)) {
			return fmt.Errorf("body lacks %q", truncate(c.contains, 40))
		}
		return nil
	}
	v, n := c.path.Match(body, 0)
	switch {
	case c.absent && n > 0:
		return fmt.Errorf("%s is present", c.path)
	case c.absent:
		return nil
	case n == 0:
		return fmt.Errorf("%s is missing", c.path)
	case c.equals == nil:
		return nil
	}
	if !st.equal(c.equals, v) {
		return fmt.Errorf("%s has another value than expected", c.path)
	}
	return nil
}

// equal compares a matched JSON value to an expected one.
func (st *userState) equal(want any, v []byte) bool {
	switch w := want.(type) {
	case *template.Template:
		if len(v) == 0 || v[0] != '"' {
			return false
		}
		b, err := w.AppendTo(st.buf[:0], &st.rend)
		st.buf = b
		got, ok := jsonpath.Text(v)
		return err == nil && ok && got == string(b)
	case float64:
		f, err := strconv.ParseFloat(string(v), 64)
		return err == nil && f == w
	case bool:
		return string(v) == strconv.FormatBool(w)
	case jsonNull:
		return string(v) == "null"
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
