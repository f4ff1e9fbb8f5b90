package comparator

import (
	"encoding/json"
	"reflect"
	"slices"

	"github.com/google/go-cmp/cmp"
)

// explain adds the differences between the normalised documents of p,
// found by go-cmp with a Reporter. The comparator's own rules run first, in
// pair, so go-cmp never needs them: values they find equal reach go-cmp
// identical, and without user options equal parts are left out altogether,
// so go-cmp's reflection only walks what differs.
func (p docPair) explain(out *diffList) {
	prune := len(p.c.cmpOpts) == 0
	ax, ay, _ := p.pair(p.x.root(), p.y.root(), prune)
	// The reporter works on a copy, so that out, which go-cmp never sees,
	// can stay on the caller's stack.
	r := &diffReporter{c: p.c, out: *out}
	cmp.Equal(ax, ay, append(slices.Clip(p.c.cmpOpts), cmp.Reporter(r))...)
	*out = r.out
}

// pair converts a and b to the values go-cmp compares: map[string]any for
// objects, map[int]any for arrays (so go-cmp compares them position by
// position rather than with its edit script, which is deliberately
// unstable), json.Number, string, bool and nil. With prune set, members
// and elements that are equal are left out; a wholly equal pair returns
// nil, nil.
func (p docPair) pair(a, b *node, prune bool) (ax, ay any, equal bool) {
	if a.typ != b.typ || a.typ < typeArray {
		if p.leafEqual(a, b) {
			if prune {
				return nil, nil, true
			}
			v := toCmp(p.x, a)
			return v, v, true
		}
		ax, ay = toCmp(p.x, a), toCmp(p.y, b)
		if x, y, ok := p.numericPair(a, b); ok {
			// Under NumericStrings the string is a number: a value change.
			ax, ay = json.Number(x), json.Number(y)
		}
		return ax, ay, false
	}
	if a.typ == typeObject {
		return p.pairObjects(a, b, prune)
	}
	return p.pairArrays(a, b, prune)
}

func (p docPair) pairObjects(a, b *node, prune bool) (any, any, bool) {
	mx, my := map[string]any{}, map[string]any{}
	equal := true
	as, bs := p.x.kids(a), p.y.kids(b)
	for len(as) > 0 || len(bs) > 0 {
		var ka, kb string
		if len(as) > 0 {
			ka = p.x.text(as[0].key)
		}
		if len(bs) > 0 {
			kb = p.y.text(bs[0].key)
		}
		switch {
		case len(bs) == 0 || len(as) > 0 && ka < kb:
			mx[ka] = toCmp(p.x, &as[0])
			equal = false
			as = as[1:]
		case len(as) == 0 || kb < ka:
			my[kb] = toCmp(p.y, &bs[0])
			equal = false
			bs = bs[1:]
		default:
			vx, vy, eq := p.pair(&as[0], &bs[0], prune)
			if !eq || !prune {
				mx[ka], my[kb] = vx, vy
			}
			equal = equal && eq
			as, bs = as[1:], bs[1:]
		}
	}
	if equal && prune {
		return nil, nil, true
	}
	return mx, my, equal
}

func (p docPair) pairArrays(a, b *node, prune bool) (any, any, bool) {
	as, bs := p.x.kids(a), p.y.kids(b)
	// order[i] is the element of b that stands against as[i] (or, past
	// the end of as, against nothing); -1 for none.
	var order []int
	if a.unordered {
		order = p.alignUnordered(as, bs)
	} else {
		order = make([]int, max(len(as), len(bs)))
		for i := range order {
			order[i] = i
			if i >= len(bs) {
				order[i] = -1
			}
		}
	}
	mx, my := map[int]any{}, map[int]any{}
	equal := true
	for i, j := range order {
		switch {
		case j < 0:
			mx[i] = toCmp(p.x, &as[i])
			equal = false
		case i >= len(as):
			my[i] = toCmp(p.y, &bs[j])
			equal = false
		default:
			vx, vy, eq := p.pair(&as[i], &bs[j], prune)
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

// toCmp converts n, a node of t, to the values go-cmp compares (see pair).
func toCmp(t *tree, n *node) any {
	switch n.typ {
	case typeNull:
		return nil
	case typeBool:
		return t.text(n.text) == "true"
	case typeNumber:
		return json.Number(t.text(n.text))
	case typeString:
		return t.text(n.text)
	case typeArray:
		kids := t.kids(n)
		m := make(map[int]any, len(kids))
		for i := range kids {
			m[i] = toCmp(t, &kids[i])
		}
		return m
	default:
		kids := t.kids(n)
		m := make(map[string]any, len(kids))
		for i := range kids {
			m[t.text(kids[i].key)] = toCmp(t, &kids[i])
		}
		return m
	}
}

// diffReporter is the go-cmp Reporter that turns go-cmp's unequal reports
// into [Diff] values. It reads go-cmp's path steps, never its text output.
type diffReporter struct {
	c     *jsonComparator
	steps []cmp.PathStep
	out   diffList
}

func (r *diffReporter) PushStep(ps cmp.PathStep) { r.steps = append(r.steps, ps) }

func (r *diffReporter) PopStep() { r.steps = r.steps[:len(r.steps)-1] }

func (r *diffReporter) Report(rs cmp.Result) {
	if rs.Equal() {
		return
	}
	if len(r.out.diffs) >= r.out.limit {
		r.out.truncated = true // past the limit: no need to build the diff
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
