package comparator

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// normalize applies the rules that concern one document alone, in place:
// Normalize functions, ignored paths, null and empty members treated as
// absent, and the marking of unordered arrays. Both documents go through
// it before they are compared.
func (c *jsonComparator) normalize(n *node) error {
	if len(c.rules.rules) == 0 && !c.nullEqualsMissing && !c.emptyEqualsMissing {
		return nil
	}
	return c.normalizeNode(n, c.rules.root(), 0)
}

func (c *jsonComparator) normalizeNode(n *node, states []pathState, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("comparator: a Normalize result nests deeper than %d levels", MaxDepth)
	}
	for i := range c.rules.rules {
		r := &c.rules.rules[i]
		if r.action == actNormalize && slices.Contains(states, pathState{int32(i), int32(len(r.segs))}) {
			v, err := fromDecoded(r.fn(toDecoded(n)), 0)
			if err != nil {
				return fmt.Errorf("comparator: Normalize(%q): %w", r.pattern, err)
			}
			*n = v
		}
	}
	switch n.typ {
	case typeObject:
		kept := n.members[:0]
		for i := range n.members {
			m := n.members[i]
			child := c.rules.next(states, m.key, false)
			if c.rules.applies(child, actIgnore) {
				continue
			}
			if err := c.normalizeNode(&m.value, child, depth+1); err != nil {
				return err
			}
			if c.countsAsMissing(&m.value) {
				continue
			}
			kept = append(kept, m)
		}
		clear(n.members[len(kept):])
		n.members = kept
	case typeArray:
		n.unordered = c.rules.applies(states, actUnordered)
		kept := n.elems[:0]
		for i := range n.elems {
			e := n.elems[i]
			child := c.rules.next(states, "", true)
			if c.rules.applies(child, actIgnore) {
				continue
			}
			if err := c.normalizeNode(&e, child, depth+1); err != nil {
				return err
			}
			kept = append(kept, e)
		}
		clear(n.elems[len(kept):])
		n.elems = kept
	}
	return nil
}

// countsAsMissing reports whether an object member with value v is treated
// as absent.
func (c *jsonComparator) countsAsMissing(v *node) bool {
	switch v.typ {
	case typeNull:
		return c.nullEqualsMissing
	case typeArray:
		return c.emptyEqualsMissing && len(v.elems) == 0
	case typeObject:
		return c.emptyEqualsMissing && len(v.members) == 0
	}
	return false
}

// toDecoded converts n to the shape encoding/json decodes into with
// UseNumber, for Normalize functions.
func toDecoded(n *node) any {
	switch n.typ {
	case typeNull:
		return nil
	case typeBool:
		return n.text == "true"
	case typeNumber:
		return json.Number(n.text)
	case typeString:
		return n.text
	case typeArray:
		a := make([]any, len(n.elems))
		for i := range n.elems {
			a[i] = toDecoded(&n.elems[i])
		}
		return a
	default:
		m := make(map[string]any, len(n.members))
		for i := range n.members {
			m[n.members[i].key] = toDecoded(&n.members[i].value)
		}
		return m
	}
}

// fromDecoded converts a Normalize function's result back to a node.
func fromDecoded(v any, depth int) (node, error) {
	if depth > MaxDepth {
		return node{}, fmt.Errorf("result nests deeper than %d levels", MaxDepth)
	}
	switch v := v.(type) {
	case nil:
		return node{typ: typeNull}, nil
	case bool:
		return node{typ: typeBool, text: strconv.FormatBool(v)}, nil
	case string:
		return node{typ: typeString, text: v}, nil
	case json.Number:
		if !isNumberLiteral(string(v)) {
			return node{}, fmt.Errorf("json.Number(%q) is not a JSON number", string(v))
		}
		return node{typ: typeNumber, text: string(v)}, nil
	case []any:
		n := node{typ: typeArray, elems: make([]node, len(v))}
		for i, e := range v {
			var err error
			if n.elems[i], err = fromDecoded(e, depth+1); err != nil {
				return node{}, err
			}
		}
		return n, nil
	case map[string]any:
		n := node{typ: typeObject, members: make([]member, 0, len(v))}
		for k, e := range v {
			ev, err := fromDecoded(e, depth+1)
			if err != nil {
				return node{}, err
			}
			n.members = append(n.members, member{key: k, value: ev})
		}
		slices.SortFunc(n.members, func(a, b member) int { return strings.Compare(a.key, b.key) })
		return n, nil
	}
	// Any Go number, as encoding/json would write it.
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return node{typ: typeNumber, text: strconv.FormatInt(rv.Int(), 10)}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return node{typ: typeNumber, text: strconv.FormatUint(rv.Uint(), 10)}, nil
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return node{}, fmt.Errorf("%v is not a JSON number", f)
		}
		return node{typ: typeNumber, text: strconv.FormatFloat(f, 'g', -1, rv.Type().Bits())}, nil
	}
	return node{}, fmt.Errorf("unsupported result type %T: return map[string]any, []any, string, json.Number, a Go number, bool or nil", v)
}
