package comparator

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/shadowread/shadowread/comparator/internal/jsonnum"
	"github.com/shadowread/shadowread/comparator/internal/jsontree"
)

// normalize applies the rules that concern one document alone, in place:
// Normalize functions, ignored paths, null and empty members treated as
// absent, and the marking of unordered arrays. Both documents go through
// it before they are compared.
func (c *jsonComparator) normalize(t *jsontree.Tree) error {
	switch {
	case len(c.rules.rules) > 0:
		return c.normalizeNode(t, 0, c.rules.root(), 0)
	case (c.nullEqualsMissing || c.emptyEqualsMissing) && !t.MissingDropped:
		c.dropMissing(t, t.Root())
	}
	return nil
}

// dropMissing removes the members that count as absent from n and below:
// normalizeNode without path rules, which need no paths, states or
// indexes, as nothing is appended to t.
func (c *jsonComparator) dropMissing(t *jsontree.Tree, n *jsontree.Node) {
	if n.Type != jsontree.Array && n.Type != jsontree.Object {
		return
	}
	kids := t.Kids(n)
	kept := 0
	for k := range kids {
		c.dropMissing(t, &kids[k])
		if n.Type == jsontree.Object && c.countsAsMissing(&kids[k]) {
			continue
		}
		kids[kept] = kids[k]
		kept++
	}
	n.N = int32(kept)
}

// normalizeNode normalises t.Nodes[i]. It works by index: a Normalize
// function's result is appended to t.Nodes, which may move them.
func (c *jsonComparator) normalizeNode(t *jsontree.Tree, i int32, states []pathState, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("comparator: a Normalize result nests deeper than %d levels", MaxDepth)
	}
	for r := range c.rules.rules {
		rule := &c.rules.rules[r]
		if rule.action != actNormalize || !slices.Contains(states, pathState{int32(r), int32(len(rule.segs))}) {
			continue
		}
		v, err := fromDecoded(t, rule.fn(toValue(t, &t.Nodes[i], forNormalize)), 0)
		if err != nil {
			return fmt.Errorf("comparator: Normalize(%q): %w", rule.pattern, err)
		}
		v.Key = t.Nodes[i].Key
		t.Nodes[i] = v
	}
	n := t.Nodes[i]
	if n.Type != jsontree.Array && n.Type != jsontree.Object {
		return nil
	}
	if n.Type == jsontree.Array {
		t.Nodes[i].Unordered = c.rules.applies(states, actUnordered)
		t.Nodes[i].Keyed = c.rules.keyed(states)
	}
	kept := n.First
	for k := n.First; k < n.First+n.N; k++ {
		var child []pathState
		if n.Type == jsontree.Object {
			child = c.rules.next(states, t.Text(t.Nodes[k].Key), false)
		} else {
			child = c.rules.next(states, "", true)
		}
		if c.rules.applies(child, actIgnore) {
			continue
		}
		if err := c.normalizeNode(t, k, child, depth+1); err != nil {
			return err
		}
		if n.Type == jsontree.Object && c.countsAsMissing(&t.Nodes[k]) {
			continue
		}
		t.Nodes[kept] = t.Nodes[k]
		kept++
	}
	t.Nodes[i].N = kept - n.First
	return nil
}

// countsAsMissing reports whether an object member with value v is treated
// as absent.
func (c *jsonComparator) countsAsMissing(v *jsontree.Node) bool {
	switch v.Type {
	case jsontree.Null:
		return c.nullEqualsMissing
	case jsontree.Array, jsontree.Object:
		return c.emptyEqualsMissing && v.N == 0
	}
	return false
}

// fromDecoded converts a Normalize function's result to a node of t; its
// children are appended to t.Nodes.
func fromDecoded(t *jsontree.Tree, v any, depth int) (jsontree.Node, error) {
	if depth > MaxDepth {
		return jsontree.Node{}, fmt.Errorf("result nests deeper than %d levels", MaxDepth)
	}
	switch v := v.(type) {
	case nil:
		return jsontree.Node{Type: jsontree.Null}, nil
	case bool:
		return jsontree.Node{Type: jsontree.Bool, Text: t.AddText(strconv.FormatBool(v))}, nil
	case string:
		return jsontree.Node{Type: jsontree.String, Text: t.AddText(v)}, nil
	case json.Number:
		if !jsonnum.IsLiteral(string(v)) {
			return jsontree.Node{}, fmt.Errorf("json.Number(%q) is not a JSON number", string(v))
		}
		return jsontree.Node{Type: jsontree.Number, Text: t.AddText(string(v))}, nil
	case []any:
		kids := make([]jsontree.Node, len(v))
		for i, e := range v {
			var err error
			if kids[i], err = fromDecoded(t, e, depth+1); err != nil {
				return jsontree.Node{}, err
			}
		}
		return appendContainer(t, jsontree.Array, kids), nil
	case map[string]any:
		kids := make([]jsontree.Node, 0, len(v))
		for k, e := range v {
			kid, err := fromDecoded(t, e, depth+1)
			if err != nil {
				return jsontree.Node{}, err
			}
			kid.Key = t.AddText(k)
			kids = append(kids, kid)
		}
		slices.SortFunc(kids, func(a, b jsontree.Node) int { return strings.Compare(t.Text(a.Key), t.Text(b.Key)) })
		return appendContainer(t, jsontree.Object, kids), nil
	}
	// Any Go number, as encoding/json would write it.
	rv := reflect.ValueOf(v)
	var lit string
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		lit = strconv.FormatInt(rv.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		lit = strconv.FormatUint(rv.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return jsontree.Node{}, fmt.Errorf("%v is not a JSON number", f)
		}
		lit = strconv.FormatFloat(f, 'g', -1, rv.Type().Bits())
	default:
		return jsontree.Node{}, fmt.Errorf("unsupported result type %T: return map[string]any, []any, string, json.Number, a Go number, bool or nil", v)
	}
	return jsontree.Node{Type: jsontree.Number, Text: t.AddText(lit)}, nil
}

// appendContainer appends kids to t.Nodes as the children of a new array
// or object and returns it.
func appendContainer(t *jsontree.Tree, typ jsontree.Type, kids []jsontree.Node) jsontree.Node {
	first := int32(len(t.Nodes))
	t.Nodes = append(t.Nodes, kids...)
	return jsontree.Node{Type: typ, First: first, N: int32(len(kids))}
}
