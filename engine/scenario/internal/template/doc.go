// Package template is the template language of scenario files: text with
// {{ expressions }} in paths, query values, header values, JSON body
// strings, vars: and the equals: of checks. A template is compiled once,
// when the plan is built, into literal parts (escaped for where the text
// lands) and references whose every name is checked then; rendering a
// request only appends bytes into the user's reused buffer.
//
//	t, err := template.Compile("/api/users/{{user.id}}", template.InPath, &template.Scope{})
//	if err != nil {
//		return err // *Error: names the expression and what is wrong
//	}
//	r := template.NewRenderer(u, nil, 0)
//	b, err := t.AppendTo(buf[:0], &r)
//
// The expressions are listed at [Template]. A Template is immutable once
// compiled and safe for concurrent use; a [Renderer] belongs to one user
// (one goroutine).
package template
