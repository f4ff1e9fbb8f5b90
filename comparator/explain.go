package comparator

import (
	"encoding/json"
	"reflect"
	"slices"

	"github.com/google/go-cmp/cmp"
)

// explain adds the differences between the normalised documents x and y,
// found by go-cmp with a Reporter. The comparator's own rules run first, in
// pair, so go-cmp never needs them: values they find equal reach go-cmp
// identical, and without user options equal parts are left out altogether,
// so go-cmp's reflection only walks what differs.
func (c *jsonComparator) explain(x, y *node, out *diffList) {
	prune := len(c.cmpOpts) == 0
	ax, ay, _ := c.pair(x, y, prune)
	r := &diffReporter{c: c, out: out}
	cmp.Equal(ax, ay, append(slices.Clip(c.cmpOpts), cmp.Reporter(r))...)
}

// pair converts x and y to the values go-cmp compares: map[string]any for
// objects, map[int]any for arrays (so go-cmp compares them position by
// position rather than with its edit script, which is deliberately
// unstable), json.Number, string, bool and nil. With prune set, members
// and elements that are equal are left out; a wholly equal pair returns
// nil, nil.
func (c *jsonComparator) pair(x, y *node, prune bool) (ax, ay any, equal bool) {
	if x.typ != y.typ || x.typ < typeArray {
		if c.leafEqual(x, y) {
			if prune {
				return nil, nil, true
			}
			v := toCmp(x)
			return v, v, true
		}
		ax, ay = toCmp(x), toCmp(y)
		if _, _, ok := c.numericPair(x, y); ok {
			// Under NumericStrings the string is a number: a value change.
			if x.typ == typeString {
				ax = json.Number(x.text)
			} else {
				ay = json.Number(y.text)
			}
		}
		return ax, ay, false
	}
	if x.typ == typeObject {
		return c.pairObjects(x, y, prune)
	}
	return c.pairArrays(x, y, prune)
}

func (c *jsonComparator) pairObjects(x, y *node, prune bool) (any, any, bool) {
	mx, my := map[string]any{}, map[string]any{}
	equal := true
	xs, ys := x.members, y.members
	for len(xs) > 0 || len(ys) > 0 {
		switch {
		case len(ys) == 0 || len(xs) > 0 && xs[0].key < ys[0].key:
			mx[xs[0].key] = toCmp(&xs[0].value)
			equal = false
			xs = xs[1:]
		case len(xs) == 0 || ys[0].key < xs[0].key:
			my[ys[0].key] = toCmp(&ys[0].value)
			equal = false
			ys = ys[1:]
		default:
			vx, vy, eq := c.pair(&xs[0].value, &ys[0].value, prune)
			if !eq || !prune {
				mx[xs[0].key], my[ys[0].key] = vx, vy
			}
			equal = equal && eq
			xs, ys = xs[1:], ys[1:]
		}
	}
	if equal && prune {
		return nil, nil, true
	}
	return mx, my, equal
}

func (c *jsonComparator) pairArrays(x, y *node, prune bool) (any, any, bool) {
	// order[i] is the element of y that stands against x.elems[i] (or, past
	// the end of x, against nothing); -1 for none.
	var order []int
	if x.unordered {
		order = c.alignUnordered(x.elems, y.elems)
	} else {
		order = make([]int, max(len(x.elems), len(y.elems)))
		for i := range order {
			order[i] = i
			if i >= len(y.elems) {
				order[i] = -1
			}
		}
	}
	mx, my := map[int]any{}, map[int]any{}
	equal := true
	for i, j := range order {
		switch {
		case j < 0:
			mx[i] = toCmp(&x.elems[i])
			equal = false
		case i >= len(x.elems):
			my[i] = toCmp(&y.elems[j])
			equal = false
		default:
			vx, vy, eq := c.pair(&x.elems[i], &y.elems[j], prune)
			if !eq || !prune {
				mx[i], my[i] = vx, vy
			}
			equal = equal && eq
		}
	}
	if equal && prune {
		return nil, nil, true
	}
	return mx, my, equal
}

// alignUnordered lines the elements of an unordered array ys up against
// xs: each x against its equal partner, then the x elements without one
// against the y elements without one, in order (so their differences show
// member by member), then what is left of ys after the end of xs.
func (c *jsonComparator) alignUnordered(xs, ys []node) []int {
	match, _ := c.matchUnordered(xs, ys)
	used := make([]bool, len(ys))
	for _, j := range match {
		if j >= 0 {
			used[j] = true
		}
	}
	var spare []int
	for j := range ys {
		if !used[j] {
			spare = append(spare, j)
		}
	}
	order := match
	for i := range order {
		if order[i] < 0 && len(spare) > 0 {
			order[i], spare = spare[0], spare[1:]
		}
	}
	return append(order, spare...)
}

// toCmp converts n to the values go-cmp compares (see pair).
func toCmp(n *node) any {
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
		m := make(map[int]any, len(n.elems))
		for i := range n.elems {
			m[i] = toCmp(&n.elems[i])
		}
		return m
	default:
		m := make(map[string]any, len(n.members))
		for i := range n.members {
			m[n.members[i].key] = toCmp(&n.members[i].value)
		}
		return m
	}
}

// diffReporter is the go-cmp Reporter that turns go-cmp's unequal reports
// into [Diff] values. It reads go-cmp's path steps, never its text output.
type diffReporter struct {
	c     *jsonComparator
	steps []cmp.PathStep
	out   *diffList
}

func (r *diffReporter) PushStep(ps cmp.PathStep) { r.steps = append(r.steps, ps) }

func (r *diffReporter) PopStep() { r.steps = r.steps[:len(r.steps)-1] }

func (r *diffReporter) Report(rs cmp.Result) {
	if rs.Equal() {
		return
	}
	if len(r.out.diffs) >= r.out.limit {
		r.out.truncated = true
		return
	}
	vx, vy := r.steps[len(r.steps)-1].Values()
	d := Diff{Path: r.path()}
	switch {
	case !vx.IsValid():
		d.Kind = ExtraInShadow
	case !vy.IsValid():
		d.Kind = MissingInShadow
	case typeOfValue(vx) != typeOfValue(vy):
		d.Kind = TypeChanged
	default:
		d.Kind = ValueChanged
	}
	if vx.IsValid() {
		d.Primary = r.c.describe(valueOf(vx))
	}
	if vy.IsValid() {
		d.Shadow = r.c.describe(valueOf(vy))
	}
	r.out.add(d)
}

// path renders the current go-cmp path in the package's path syntax:
// string map keys are members, int map keys are elements; the steps that
// do not move in the document (type assertions, transformations) add
// nothing.
func (r *diffReporter) path() string {
	var b []byte
	for _, step := range r.steps {
		mi, ok := step.(cmp.MapIndex)
		if !ok {
			continue
		}
		switch k := mi.Key(); k.Kind() {
		case reflect.String:
			b = appendKey(b, k.String())
		case reflect.Int:
			b = appendIndex(b, int(k.Int()))
		}
	}
	if len(b) == 0 {
		return "$"
	}
	return string(b)
}

// valueOf returns the value inside v, unwrapping interfaces; nil for a nil
// interface.
func valueOf(v reflect.Value) any {
	if !v.CanInterface() {
		return nil
	}
	return v.Interface()
}

// typeOfValue names the JSON type of a value go-cmp reports.
func typeOfValue(v reflect.Value) string {
	x := valueOf(v)
	switch x.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case json.Number:
		return "number"
	case string:
		return "string"
	case map[int]any:
		return "array"
	case map[string]any:
		return "object"
	}
	// A user's transformer produced it: its Go type is the best name.
	return reflect.TypeOf(x).String()
}
