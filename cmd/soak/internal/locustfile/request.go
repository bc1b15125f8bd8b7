package locustfile

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var clientCall = regexp.MustCompile(`\bself\.client\.(get|post|put|patch|delete|head|options|request)\s*\(`)

// extractor finds the requests of methods, following helper calls.
type extractor struct {
	methods map[string]*method
	budget  *budget
}

// budget is what the rest of a Read may still do: calls to look at
// (helper calls followed included) and requests to keep.
type budget struct{ calls, requests int }

// call is a call a method makes, in order: a request through
// self.client, or a helper (self.login()).
type call struct {
	num     int
	req     *Request // nil: a helper call, or a request soak could not read
	helper  string
	unreads bool // a self.client call whose arguments soak could not read
}

// calls reads me's calls once (a helper followed from many tasks is not
// read again): at most maxRequests of each line's.
func (x *extractor) calls(me *method) []call {
	if me.calls != nil {
		return me.calls
	}
	me.calls = []call{}
	skip := -1 // the indent of an "if ... == 401:" whose block is the login again
	locals := scope{}
	for _, l := range me.body {
		if skip >= 0 && l.indent > skip {
			continue
		}
		skip = -1
		if strings.HasPrefix(l.text, "if ") && status401.MatchString(l.text) {
			skip = l.indent // the class's retry: rule does what the block does
			continue
		}
		if m := assign.FindStringSubmatch(l.text); m != nil && !strings.Contains(m[2], "self.client") {
			if e, ok := locals.expr(m[2]); ok && e != m[2] {
				locals[m[1]] = e // n = random.randint(1, 5000)
			}
		}
		type hit struct {
			at     int
			client []int
			helper string
		}
		var hits []hit
		for _, m := range clientCall.FindAllStringSubmatchIndex(l.text, maxRequests) {
			hits = append(hits, hit{at: m[0], client: m})
		}
		for _, m := range selfCall.FindAllStringSubmatchIndex(l.text, maxRequests) {
			if name := l.text[m[2]:m[3]]; x.methods[name] != nil && name != me.name {
				hits = append(hits, hit{at: m[0], helper: name})
			}
		}
		sort.Slice(hits, func(i, j int) bool { return hits[i].at < hits[j].at })
		for _, h := range hits {
			if len(me.calls) == maxRequests {
				break
			}
			c := call{num: l.num, helper: h.helper}
			if h.helper == "" {
				if args, ok := callArgs(l.text, h.client[1]-1); ok {
					r := request(strings.ToUpper(l.text[h.client[2]:h.client[3]]), args, l.num, locals)
					c.req = &r
				} else {
					c.unreads = true
				}
			}
			me.calls = append(me.calls, c)
		}
	}
	return me.calls
}

// requests returns the requests me makes, in order, with helper calls
// followed maxInline deep, and what it cannot translate.
func (x *extractor) requests(me *method, depth int) ([]Request, []Note) {
	var reqs []Request
	var notes []Note
	note := func(n Note) {
		if len(notes) < maxNotes {
			notes = append(notes, n)
		}
	}
	for _, c := range x.calls(me) {
		if len(reqs) >= maxRequests || x.budget.requests <= 0 || x.budget.calls <= 0 {
			note(Note{c.num, "too many requests or calls (" + strconv.Itoa(maxRequests) + " requests a task, " +
				strconv.Itoa(maxTotalRequests) + " in all): the rest are left out"})
			break
		}
		x.budget.calls--
		switch {
		case c.req != nil:
			reqs = append(reqs, *c.req)
			x.budget.requests--
		case c.unreads:
			note(Note{c.num, "a self.client call soak could not read"})
		case depth+1 > maxInline:
			note(Note{c.num, "self." + c.helper + "(): write its requests"})
		default:
			r, n := x.requests(x.methods[c.helper], depth+1)
			reqs = append(reqs, r[:min(len(r), maxRequests-len(reqs))]...)
			for _, nn := range n {
				note(nn)
			}
		}
	}
	return reqs, notes
}

// callArgs returns the arguments of the call whose "(" is s[open],
// split at top-level commas.
func callArgs(s string, open int) ([]string, bool) {
	end := -1
	topLevel(s[open:], func(i, depth int) bool {
		if depth == 1 && s[open+i] == ')' {
			end = open + i
			return false
		}
		return true
	})
	if end < 0 {
		return nil, false
	}
	return splitArgs(s[open+1 : end]), true
}

// splitArgs splits s at its top-level commas, trimming each part and
// leaving out a last empty one (a trailing comma).
func splitArgs(s string) []string {
	out := splitTop(s, ',')
	if out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// topLevel calls fn with the index of each byte of s outside Python
// strings and the bracket depth before it (a closing bracket is seen at
// its opening's depth plus one), until fn returns false.
func topLevel(s string, fn func(i, depth int) bool) {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == '\\':
			i++
			continue
		case quote != 0:
			if c == quote {
				quote = 0
			}
			continue
		case c == '\'' || c == '"':
			quote = c
			continue
		}
		if !fn(i, depth) {
			return
		}
		switch c {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		}
	}
}

// request builds the Request of self.client.METHOD(args).
func request(method string, args []string, num int, sc scope) Request {
	r := Request{Method: method, Line: num}
	var pos []string
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || !isPyName(strings.TrimSpace(k)) || strings.HasPrefix(v, "=") {
			pos = append(pos, a)
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "name":
			if s, f, ok := pyLiteral(v); ok && !f && len(s) <= maxTextBytes {
				r.Name = s
			} else {
				r.Notes = append(r.Notes, Note{num, "name=" + v + ": write its grouping name"})
			}
		case "json":
			r.Notes = append(r.Notes, Note{num, "its json: body (json=" + v + ")"})
		case "data":
			r.Notes = append(r.Notes, Note{num, "its body: (data=" + v + ")"})
		case "params":
			r.Notes = append(r.Notes, Note{num, "its query: (params=" + v + ")"})
		case "headers":
			r.Notes = append(r.Notes, Note{num, "its headers: (headers=" + v + ")"})
		case "catch_response":
			r.Notes = append(r.Notes, Note{num, "what it checks: status: or check: (catch_response)"})
		case "method", "url", "path":
			pos = append(pos, v)
		}
	}
	if method == "REQUEST" {
		r.Method = "GET"
		if len(pos) > 0 {
			if s, _, ok := pyLiteral(pos[0]); ok && isPyName(s) {
				r.Method = strings.ToUpper(s)
			}
			pos = pos[1:]
		}
	}
	r.Path = "/"
	if len(pos) == 0 {
		r.Notes = append(r.Notes, Note{num, "its path"})
		return r
	}
	p, exact := sc.text(pos[0])
	if !exact {
		r.Notes = append(r.Notes, Note{num, "its path (" + pos[0] + ")"})
	}
	if i := strings.Index(p, "://"); i >= 0 {
		r.Notes = append(r.Notes, Note{num, "a full URL: its host goes in host: or --host"})
		p = p[i+3:]
		if j := strings.IndexByte(p, '/'); j >= 0 {
			p = p[j:]
		} else {
			p = "/"
		}
	}
	if !strings.HasPrefix(p, "/") {
		if exact {
			r.Notes = append(r.Notes, Note{num, "its path (" + pos[0] + "), which does not start with /"})
		}
		p = "/" + p
	}
	if len(p) > maxTextBytes {
		p = "/"
		r.Notes = append(r.Notes, Note{num, "its path, longer than the sketch keeps"})
	}
	r.Path = p
	return r
}

// scope maps a method's local names to the template expressions they
// hold (n = random.randint(1, 5000) holds random_int(1, 5000)).
type scope map[string]string

// text translates a string expression: string literals (f-strings
// included), "..." + name, and "%s" % name, into a template. exact is
// false when some of it could not be (written {{TODO}}).
func (sc scope) text(expr string) (tpl string, exact bool) {
	exact = true
	var b strings.Builder
	for _, piece := range splitTop(expr, '+') {
		if s, f, ok := pyLiteral(piece); ok {
			if f {
				t, ok := sc.fString(s)
				exact = exact && ok
				b.WriteString(t)
			} else {
				b.WriteString(s)
			}
			continue
		}
		if parts := splitTop(piece, '%'); len(parts) == 2 {
			if s, f, ok := pyLiteral(parts[0]); ok && !f {
				t, ok := sc.percent(s, parts[1])
				exact = exact && ok
				b.WriteString(t)
				continue
			}
		}
		name, ok := sc.expr(piece)
		exact = exact && ok
		b.WriteString("{{" + name + "}}")
	}
	return b.String(), exact
}

// splitTop splits s at top-level sep (outside strings and brackets),
// trimming each part.
func splitTop(s string, sep byte) []string {
	var out []string
	start := 0
	topLevel(s, func(i, depth int) bool {
		if depth == 0 && s[i] == sep {
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
		return true
	})
	return append(out, strings.TrimSpace(s[start:]))
}

// pyLiteral reads a Python string literal (r, u, b, f prefixes; single,
// double or triple quotes): its text, whether it is an f-string.
func pyLiteral(s string) (text string, fstr, ok bool) {
	i := 0
	raw := false
	for i < len(s) && i < 2 && strings.IndexByte("rRuUbBfF", s[i]) >= 0 {
		switch s[i] {
		case 'f', 'F':
			fstr = true
		case 'r', 'R':
			raw = true
		}
		i++
	}
	s = s[i:]
	if len(s) < 2 || (s[0] != '\'' && s[0] != '"') {
		return "", false, false
	}
	q := s[:1]
	if len(s) >= 6 && strings.HasPrefix(s, strings.Repeat(q, 3)) {
		q = strings.Repeat(q, 3)
	}
	if !strings.HasSuffix(s, q) || len(s) < 2*len(q) {
		return "", false, false
	}
	body := s[len(q) : len(s)-len(q)]
	if raw {
		return body, fstr, true
	}
	var b strings.Builder
	for j := 0; j < len(body); j++ {
		c := body[j]
		if c != '\\' || j+1 == len(body) {
			b.WriteByte(c)
			continue
		}
		j++
		switch e := body[j]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '\\', '\'', '"':
			b.WriteByte(e)
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String(), fstr, true
}

// fString turns an f-string's {expr} into {{name}} and {n:04d} into
// {{printf("%04d", n)}}.
func (sc scope) fString(s string) (string, bool) {
	var b strings.Builder
	exact := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{':
			b.WriteByte('{')
			i++
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			b.WriteByte('}')
			i++
		case c == '{':
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				b.WriteString(s[i:])
				return b.String(), false
			}
			expr, spec, _ := strings.Cut(s[i+1:i+j], ":")
			expr, _, _ = strings.Cut(expr, "!")
			name, ok := sc.expr(expr)
			exact = exact && ok
			if v, ok := intSpec(spec); ok && spec != "" {
				b.WriteString(`{{printf("%` + v + `d", ` + name + `)}}`)
			} else {
				b.WriteString("{{" + name + "}}")
				exact = exact && spec == ""
			}
			i += j
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), exact
}

// intSpec reads an integer format spec ("04d", "5d", "d") as printf's
// flags and width ("04", "5", "").
func intSpec(spec string) (string, bool) {
	w, ok := strings.CutSuffix(spec, "d")
	if !ok {
		return "", false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' || i > 2 {
			return "", false
		}
	}
	return w, true
}

// percent applies "%s" % args as templates.
func (sc scope) percent(format, args string) (string, bool) {
	args = strings.TrimSpace(args)
	list := []string{args}
	if strings.HasPrefix(args, "(") && strings.HasSuffix(args, ")") {
		list = splitArgs(args[1 : len(args)-1]) // a tuple: "%s/%s" % (a, b)
	}
	var b strings.Builder
	exact := true
	n := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		j := i + 1
		for j < len(format) && (format[j] >= '0' && format[j] <= '9' || format[j] == '-') {
			j++
		}
		if j == len(format) {
			b.WriteString(format[i:])
			return b.String(), false
		}
		if format[j] == '%' {
			b.WriteByte('%')
			i = j
			continue
		}
		name := "TODO"
		if n < len(list) {
			var ok bool
			name, ok = sc.expr(list[n])
			exact = exact && ok
		} else {
			exact = false
		}
		n++
		if format[j] == 'd' || format[j] == 'i' {
			if flags := format[i+1 : j]; flags != "" {
				b.WriteString(`{{printf("%` + flags + `d", ` + name + `)}}`)
				i = j
				continue
			}
		}
		b.WriteString("{{" + name + "}}")
		i = j
	}
	return b.String(), exact && n == len(list)
}

var randint = regexp.MustCompile(`^(?:random\.)?randint\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\)$`)

// expr translates a Python expression into a template expression: x,
// self.x and d["x"] read the variable x (or what the local x holds);
// random.randint(a, b) is random_int(a, b), uuid.uuid4() is uuid, str(x)
// is x. Anything else is TODO, and exact false.
func (sc scope) expr(e string) (string, bool) {
	e = strings.TrimPrefix(strings.TrimSpace(e), "self.")
	if inner, ok := strings.CutPrefix(e, "str("); ok && strings.HasSuffix(inner, ")") {
		return sc.expr(strings.TrimSuffix(inner, ")"))
	}
	switch {
	case isPyName(e):
		if v, ok := sc[e]; ok {
			return v, true
		}
		return e, true
	case e == "uuid.uuid4()" || e == "uuid4()":
		return "uuid", true
	}
	if m := randint.FindStringSubmatch(e); m != nil {
		return "random_int(" + m[1] + ", " + m[2] + ")", true
	}
	if i := strings.IndexByte(e, '['); i > 0 && strings.HasSuffix(e, "]") {
		if k, f, ok := pyLiteral(e[i+1 : len(e)-1]); ok && !f && isPyName(k) {
			return k, true
		}
	}
	return "TODO", false
}

// isPyName reports whether s is a Python identifier (ASCII).
func isPyName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
