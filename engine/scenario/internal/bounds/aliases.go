package bounds

import (
	"context"
	"fmt"

	"github.com/goccy/go-yaml/ast"
)

// ExpandAliases resolves every alias of the document to its anchor's
// node and bounds the document with every alias expanded (MaxNodes,
// MaxExpandedBytes), in one walk of the AST in document order: an
// anchor's size is counted once, where it is defined, and each alias adds
// that size without walking it again, so an alias bomb costs no more than
// its text and is refused at the alias where the count crosses a bound.
// An alias inside the anchor it names (a recursive alias) is refused
// too. It returns the alias targets and the first bound crossed (nil if
// none), or ctx's error, checked every few thousand nodes.
func ExpandAliases(ctx context.Context, root ast.Node) (map[*ast.AliasNode]ast.Node, *Crossing, error) {
	x := &expander{ctx: ctx, targets: map[*ast.AliasNode]ast.Node{}, anchors: map[string]*anchorSize{}}
	x.walk(root, 0)
	return x.targets, x.crossed, x.err
}

// expander is ExpandAliases' state.
type expander struct {
	ctx     context.Context
	targets map[*ast.AliasNode]ast.Node
	anchors map[string]*anchorSize // the latest anchor of each name so far
	nodes   int64                  // nodes so far, aliases expanded
	bytes   int64                  // scalar and path bytes so far, aliases expanded
	visits  int
	stop    bool // a bound is crossed or ctx is done
	crossed *Crossing
	err     error
}

// anchorSize is an anchor and the size of its node, once walked.
type anchorSize struct {
	node ast.Node
	done bool
	size treeSize
}

// treeSize is the size of a subtree: its nodes, the bytes of its scalars,
// and the bytes of its nodes' paths below its root.
type treeSize struct{ nodes, scalars, paths int64 }

// add adds child, whose root is seg path bytes below this tree's root.
func (t *treeSize) add(child treeSize, seg int64) {
	t.nodes += child.nodes
	t.scalars += child.scalars
	t.paths += child.paths + child.nodes*seg
}

// walk returns the size of n, whose path is pathLen bytes long, and adds
// it to the running totals.
func (x *expander) walk(n ast.Node, pathLen int64) treeSize {
	if n == nil || x.stop {
		return treeSize{}
	}
	if x.visits++; x.visits%4096 == 0 {
		if x.err = x.ctx.Err(); x.err != nil {
			x.stop = true
			return treeSize{}
		}
	}
	switch v := n.(type) {
	case *ast.DocumentNode:
		return x.walk(v.Body, pathLen)
	case *ast.TagNode:
		return x.walk(v.Value, pathLen)
	case *ast.MappingKeyNode:
		return x.walk(v.Value, pathLen)
	case *ast.CommentNode, *ast.CommentGroupNode:
		return treeSize{}
	case *ast.AnchorNode:
		a := &anchorSize{node: v.Value}
		if v.Name != nil {
			x.anchors[v.Name.String()] = a
		}
		a.size, a.done = x.walk(v.Value, pathLen), true
		return a.size
	case *ast.AliasNode:
		return x.alias(v, pathLen)
	case *ast.MappingNode:
		t := x.count(n, 0, pathLen)
		for _, mv := range v.Values {
			x.pair(&t, mv, pathLen)
		}
		return t
	case *ast.MappingValueNode:
		t := x.count(n, 0, pathLen)
		x.pair(&t, v, pathLen)
		return t
	case *ast.SequenceNode:
		t := x.count(n, 0, pathLen)
		for i, item := range v.Values {
			seg := int64(digits(i) + 2)
			t.add(x.walk(item, pathLen+seg), seg)
		}
		return t
	}
	text := ""
	if tk := n.GetToken(); tk != nil {
		text = tk.Value
	}
	if l, ok := n.(*ast.LiteralNode); ok && l.Value != nil {
		text = l.Value.Value
	}
	return x.count(n, int64(len(text)), pathLen)
}

// pair walks a key and its value into t.
func (x *expander) pair(t *treeSize, mv *ast.MappingValueNode, pathLen int64) {
	if mv == nil {
		return
	}
	seg := int64(1)
	if mv.Key != nil && !mv.Key.IsMergeKey() {
		if tk := mv.Key.GetToken(); tk != nil {
			seg += int64(len(tk.Value))
		}
	}
	t.add(x.walk(mv.Key, pathLen+seg), seg)
	t.add(x.walk(mv.Value, pathLen+seg), seg)
}

// alias adds the size of the anchor that alias names, recording its
// node as the alias's target.
func (x *expander) alias(v *ast.AliasNode, pathLen int64) treeSize {
	name := ""
	if v.Value != nil {
		name = v.Value.String()
	}
	a := x.anchors[name]
	switch {
	case a == nil:
		return x.count(v, 0, pathLen) // the decoder reports the unknown alias
	case !a.done:
		x.fail(v, "alias *%s is inside the anchor &%s it names (a recursive alias)", name, name)
		return treeSize{}
	}
	x.targets[v] = a.node
	x.grow(v, a.size.nodes, a.size.scalars+a.size.paths+a.size.nodes*pathLen)
	return a.size
}

// count counts one node of n with scalar bytes of text.
func (x *expander) count(n ast.Node, scalar, pathLen int64) treeSize {
	x.grow(n, 1, scalar+pathLen)
	return treeSize{nodes: 1, scalars: scalar}
}

// grow adds to the running totals and refuses the document at n when
// they cross a bound.
func (x *expander) grow(n ast.Node, nodes, bytes int64) {
	x.nodes += nodes
	x.bytes += bytes
	switch {
	case x.nodes > MaxNodes:
		x.fail(n, "more than %d nodes with aliases expanded", MaxNodes)
	case x.bytes > MaxExpandedBytes:
		x.fail(n, "more than %d MiB of values and field paths with aliases expanded", MaxExpandedBytes>>20)
	}
}

func (x *expander) fail(n ast.Node, format string, args ...any) {
	if !x.stop {
		x.stop = true
		x.crossed = &Crossing{Node: n, Msg: fmt.Sprintf(format, args...)}
	}
}
