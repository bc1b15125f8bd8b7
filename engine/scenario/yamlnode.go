package scenario

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
)

// decoder walks a goccy/go-yaml AST, so that every problem is reported
// with its line and column and all problems are found in one pass (a
// struct decoder stops at the first). It follows aliases and merge keys
// ("<<: *defaults") itself, to the targets bounds.ExpandAliases found, which
// also bounded the document with every alias expanded.
type decoder struct {
	*reporter
	targets map[*ast.AliasNode]ast.Node
	inline  []*source // anonymous sources of inline picks, named _1, _2, ...
	data    int64     // bytes of data files read so far, against bounds.MaxDataBytes
}

// posOf returns where n starts: a mapping at its first key (goccy's
// token for a mapping is its first ':').
func posOf(n ast.Node) Pos {
	switch m := n.(type) {
	case nil:
		return Pos{}
	case *ast.MappingNode:
		if len(m.Values) > 0 && m.Values[0] != nil && m.Values[0].Key != nil && !m.IsFlowStyle {
			return posOf(m.Values[0].Key)
		}
	case *ast.MappingValueNode:
		if m.Key != nil {
			return posOf(m.Key)
		}
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return Pos{}
	}
	return Pos{Line: tk.Position.Line, Column: tk.Position.Column}
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

func index(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }

// resolve strips anchors and tags and follows aliases (to the latest
// anchor of that name before the alias). It returns nil, reported, when
// the alias is unknown, and nil once the reporter's context is done, so
// that decoding unwinds (decode then returns the context's error).
func (d *decoder) resolve(n ast.Node, field string) ast.Node {
	if d.canceled() {
		return nil
	}
	for hops := 0; ; hops++ {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		case *ast.AliasNode:
			if hops > 64 {
				d.at(posOf(v), field, "alias chain too deep")
				return nil
			}
			target, ok := d.targets[v]
			if !ok {
				name := ""
				if v.Value != nil {
					name = v.Value.String()
				}
				d.at(posOf(v), field, "unknown alias *%s", name)
				return nil
			}
			n = target
		default:
			return n
		}
	}
}

// kind names a node's type for messages.
func kind(n ast.Node) string {
	switch n.(type) {
	case nil, *ast.NullNode:
		return "nothing (null)"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode, *ast.LiteralNode:
		return "a string"
	case *ast.IntegerNode:
		return "an integer"
	case *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a number"
	case *ast.BoolNode:
		return "a boolean"
	}
	return "a " + n.Type().String()
}

// scalar returns the text of a scalar node and whether YAML typed it as a
// string. It reports mappings, lists and nulls.
func (d *decoder) scalar(n ast.Node, field string) (text string, isString, ok bool) {
	r := d.resolve(n, field)
	if r == nil && n != nil {
		return "", false, false
	}
	switch v := r.(type) {
	case *ast.StringNode:
		return v.Value, true, true
	case *ast.LiteralNode:
		return v.Value.Value, true, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		_, tagged := n.(*ast.TagNode)
		return v.GetToken().Value, tagged, true
	}
	d.at(posOf(n), field, "expected a value, found %s", kind(r))
	return "", false, false
}

// str decodes any scalar as text.
func (d *decoder) str(n ast.Node, field string) (string, bool) {
	s, _, ok := d.scalar(n, field)
	return s, ok
}

// integer decodes an integer in [lo, hi].
func (d *decoder) integer(n ast.Node, field string, lo, hi int) (int, bool) {
	r := d.resolve(n, field)
	v, isInt := r.(*ast.IntegerNode)
	if !isInt {
		if r != nil || n == nil {
			d.at(posOf(n), field, "expected an integer, found %s", kind(r))
		}
		return 0, false
	}
	var i int64
	inRange := true
	switch x := v.Value.(type) {
	case int64:
		i = x
	case uint64:
		i, inRange = math.MaxInt64, x <= math.MaxInt64
		if inRange {
			i = int64(x)
		}
	default:
		inRange = false
	}
	if !inRange || i < int64(lo) || i > int64(hi) {
		d.at(posOf(n), field, "%s is not in [%d, %d]", v.GetToken().Value, lo, hi)
		return 0, false
	}
	return int(i), true
}

// number decodes a finite number.
func (d *decoder) number(n ast.Node, field string) (float64, bool) {
	r := d.resolve(n, field)
	switch v := r.(type) {
	case *ast.IntegerNode:
		switch x := v.Value.(type) {
		case int64:
			return float64(x), true
		case uint64:
			return float64(x), true
		}
		d.at(posOf(n), field, "%s is out of range", v.GetToken().Value)
		return 0, false
	case *ast.FloatNode:
		return v.Value, true
	}
	if r != nil || n == nil {
		d.at(posOf(n), field, "expected a number, found %s", kind(r))
	}
	return 0, false
}

// boolean decodes true or false.
func (d *decoder) boolean(n ast.Node, field string) (bool, bool) {
	r := d.resolve(n, field)
	if v, ok := r.(*ast.BoolNode); ok {
		return v.Value, true
	}
	if r != nil || n == nil {
		d.at(posOf(n), field, "expected true or false, found %s", kind(r))
	}
	return false, false
}

// duration decodes a Go duration ("500ms", "1h30m"); a bare 0 is allowed,
// another bare number is not (its unit would be a guess).
func (d *decoder) duration(n ast.Node, field string) (time.Duration, bool) {
	s, ok := d.str(n, field)
	if !ok {
		return 0, false
	}
	v, err := parseDuration(s)
	if err != nil {
		d.at(posOf(n), field, "%v", err)
		return 0, false
	}
	return v, true
}

// parseDuration is time.ParseDuration that names what is wrong in words a
// YAML author understands.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return 0, fmt.Errorf("%q has no unit; write a duration such as %sms or %ss", s, s, s)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (such as 500ms, 3s, 1m30s)", s)
	}
	return v, nil
}

// list decodes a sequence; null is an empty list.
func (d *decoder) list(n ast.Node, field string) ([]ast.Node, bool) {
	r := d.resolve(n, field)
	switch v := r.(type) {
	case *ast.SequenceNode:
		return v.Values, true
	case *ast.NullNode:
		return nil, true
	case nil:
		if n == nil {
			return nil, true
		}
		return nil, false
	}
	d.at(posOf(n), field, "expected a list, found %s", kind(r))
	return nil, false
}
