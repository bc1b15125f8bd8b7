package scenario

import (
	"strconv"

	"github.com/goccy/go-yaml/ast"
	"github.com/soaklab/soak/engine/scenario/internal/bounds"
	"github.com/soaklab/soak/engine/scenario/internal/template"
)

// checks decodes "check:", a list of (or one) assertions on the body:
//
//   - json: $.status          the path matches a value
//     equals: ok              ... equal to this (a string is a template)
//   - json: $.error
//     exists: false           the path matches nothing
//   - contains: '"stories"'   the raw body contains this text
func (d *decoder) checks(n ast.Node, field string) []check {
	var items []ast.Node
	switch d.resolve(n, field).(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		items = []ast.Node{n}
	default:
		items, _ = d.list(n, field)
	}
	var out []check
	for i, it := range items {
		f := field
		if len(items) > 1 || it != n {
			f = index(field, i)
		}
		c := check{field: f}
		existsSet := false
		d.fieldSet(it, f, map[string]func(ast.Node, string){
			"json":     func(v ast.Node, f string) { c.path, _ = d.str(v, f) },
			"contains": func(v ast.Node, f string) { c.contains, _ = d.str(v, f) },
			"equals":   func(v ast.Node, f string) { c.equals = d.literal(v, f) },
			"exists": func(v ast.Node, f string) {
				e, _ := d.boolean(v, f)
				c.absent, existsSet = !e, true
			},
		})
		switch {
		case c.path == "" && c.contains == "":
			d.field(f, "give json: PATH (with equals: or exists:) or contains: TEXT")
		case c.path != "" && c.contains != "":
			d.field(f, "json and contains in one check; write two checks")
		case c.contains != "" && (c.equals != nil || existsSet):
			d.field(f, "equals and exists go with json:, not contains:")
		case c.absent && c.equals != nil:
			d.field(join(f, "exists"), "exists: false with equals; a value cannot be both absent and equal")
		}
		out = append(out, c)
	}
	return out
}

// literal decodes the expected value of an equals: check.
func (d *decoder) literal(n ast.Node, field string) any {
	switch v := d.resolve(n, field).(type) {
	case *ast.NullNode:
		return jsonNull{}
	case *ast.BoolNode:
		return v.Value
	case *ast.IntegerNode, *ast.FloatNode:
		f, ok := d.number(n, field)
		if !ok {
			return nil
		}
		return jsonNumber(strconv.FormatFloat(f, 'g', -1, 64))
	}
	s, ok := d.str(n, field)
	if !ok {
		return nil
	}
	return s
}

// captures decodes "capture:", a mapping of variable names to JSON paths.
func (d *decoder) captures(n ast.Node, field string) []param {
	ps := d.params(n, field, d.str)
	out := ps[:0]
	for _, p := range ps {
		if !template.IsIdent(p.name) || p.name == "user" || p.name == "uuid" || p.name == "random_int" {
			d.field(p.field, "%q is not a variable name (letters, digits, _ and -; not user, uuid or random_int)", p.name)
			continue
		}
		out = append(out, p)
	}
	return out
}

// jsonValue decodes a json: body into jsonObject, []any, string (a
// template), jsonNumber, bool and jsonNull, keeping the key order.
func (d *decoder) jsonValue(n ast.Node, field string, depth int) any {
	if depth > bounds.MaxJSONDepth {
		d.at(posOf(n), field, "nested deeper than %d", bounds.MaxJSONDepth)
		return jsonNull{}
	}
	switch v := d.resolve(n, field).(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		es, _ := d.entries(n, field)
		obj := jsonObject{}
		for _, e := range es {
			f := join(field, e.key)
			d.pos[f] = posOf(e.val)
			obj = append(obj, jsonMember{key: e.key, value: d.jsonValue(e.val, f, depth+1)})
		}
		return obj
	case *ast.SequenceNode:
		arr := []any{}
		for i, it := range v.Values {
			arr = append(arr, d.jsonValue(it, index(field, i), depth+1))
		}
		return arr
	case *ast.InfinityNode, *ast.NanNode:
		d.at(posOf(n), field, "%s is not a JSON number", v.GetToken().Value)
		return jsonNull{}
	case nil:
		if n == nil {
			return jsonNull{}
		}
		return nil
	}
	lit := d.literal(n, field)
	if lit == nil {
		return jsonNull{}
	}
	return lit
}
