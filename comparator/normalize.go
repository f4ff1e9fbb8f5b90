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
)

// normalize applies the rules that concern one document alone, in place:
// Normalize functions, ignored paths, null and empty members treated as
// absent, and the marking of unordered arrays. Both documents go through
// it before they are compared.
func (c *jsonComparator) normalize(t *tree) error {
	switch {
	case len(c.rules.rules) > 0:
		return c.normalizeNode(t, 0, c.rules.root(), 0)
	case (c.nullEqualsMissing || c.emptyEqualsMissing) && !t.missingDropped:
		c.dropMissing(t, t.root())
	}
	return nil
}

// dropMissing removes the members that count as absent from n and below:
// normalizeNode without path rules, which need no paths, states or
// indexes, as nothing is appended to t.
func (c *jsonComparator) dropMissing(t *tree, n *node) {
	if n.typ != typeArray && n.typ != typeObject {
		return
	}
	kids := t.kids(n)
	kept := 0
	for k := range kids {
		c.dropMissing(t, &kids[k])
		if n.typ == typeObject && c.countsAsMissing(&kids[k]) {
			continue
		}
		kids[kept] = kids[k]
		kept++
	}
	n.n = int32(kept)
}

// normalizeNode normalises t.nodes[i]. It works by index: a Normalize
// function's result is appended to t.nodes, which may move them.
func (c *jsonComparator) normalizeNode(t *tree, i int32, states []pathState, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("comparator: a Normalize result nests deeper than %d levels", MaxDepth)
	}
	for r := range c.rules.rules {
		rule := &c.rules.rules[r]
		if rule.action != actNormalize || !slices.Contains(states, pathState{int32(r), int32(len(rule.segs))}) {
			continue
		}
		v, err := fromDecoded(t, rule.fn(toValue(t, &t.nodes[i], forNormalize)), 0)
		if err != nil {
			return fmt.Errorf("comparator: Normalize(%q): %w", rule.pattern, err)
		}
		v.key = t.nodes[i].key
		t.nodes[i] = v
	}
	n := t.nodes[i]
	if n.typ != typeArray && n.typ != typeObject {
		return nil
	}
	if n.typ == typeArray {
		t.nodes[i].unordered = c.rules.applies(states, actUnordered)
		t.nodes[i].keyed = c.rules.keyed(states)
	}
	kept := n.first
	for k := n.first; k < n.first+n.n; k++ {
		var child []pathState
		if n.typ == typeObject {
			child = c.rules.next(states, t.text(t.nodes[k].key), false)
		} else {
			child = c.rules.next(states, "", true)
		}
		if c.rules.applies(child, actIgnore) {
			continue
		}
		if err := c.normalizeNode(t, k, child, depth+1); err != nil {
			return err
		}
		if n.typ == typeObject && c.countsAsMissing(&t.nodes[k]) {
			continue
		}
		t.nodes[kept] = t.nodes[k]
		kept++
	}
	t.nodes[i].n = kept - n.first
	return nil
}

// countsAsMissing reports whether an object member with value v is treated
// as absent.
func (c *jsonComparator) countsAsMissing(v *node) bool {
	switch v.typ {
	case typeNull:
		return c.nullEqualsMissing
	case typeArray, typeObject:
		return c.emptyEqualsMissing && v.n == 0
	}
	return false
}

// fromDecoded converts a Normalize function's result to a node of t; its
// children are appended to t.nodes.
func fromDecoded(t *tree, v any, depth int) (node, error) {
	if depth > MaxDepth {
		return node{}, fmt.Errorf("result nests deeper than %d levels", MaxDepth)
	}
	switch v := v.(type) {
	case nil:
		return node{typ: typeNull}, nil
	case bool:
		return node{typ: typeBool, text: t.addText(strconv.FormatBool(v))}, nil
	case string:
		return node{typ: typeString, text: t.addText(v)}, nil
	case json.Number:
		if !jsonnum.IsLiteral(string(v)) {
			return node{}, fmt.Errorf("json.Number(%q) is not a JSON number", string(v))
		}
		return node{typ: typeNumber, text: t.addText(string(v))}, nil
	case []any:
		kids := make([]node, len(v))
		for i, e := range v {
			var err error
			if kids[i], err = fromDecoded(t, e, depth+1); err != nil {
				return node{}, err
			}
		}
		return appendContainer(t, typeArray, kids), nil
	case map[string]any:
		kids := make([]node, 0, len(v))
		for k, e := range v {
			kid, err := fromDecoded(t, e, depth+1)
			if err != nil {
				return node{}, err
			}
			kid.key = t.addText(k)
			kids = append(kids, kid)
		}
		slices.SortFunc(kids, func(a, b node) int { return strings.Compare(t.text(a.key), t.text(b.key)) })
		return appendContainer(t, typeObject, kids), nil
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
			return node{}, fmt.Errorf("%v is not a JSON number", f)
		}
		lit = strconv.FormatFloat(f, 'g', -1, rv.Type().Bits())
	default:
		return node{}, fmt.Errorf("unsupported result type %T: return map[string]any, []any, string, json.Number, a Go number, bool or nil", v)
	}
	return node{typ: typeNumber, text: t.addText(lit)}, nil
}

// appendContainer appends kids to t.nodes as the children of a new array
// or object and returns it.
func appendContainer(t *tree, typ jsonType, kids []node) node {
	first := int32(len(t.nodes))
	t.nodes = append(t.nodes, kids...)
	return node{typ: typ, first: first, n: int32(len(kids))}
}
