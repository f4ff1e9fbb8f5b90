package comparator

import (
	"encoding/json"
	"reflect"
	"slices"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/shadowread/shadowread/comparator/internal/jsontree"
	"github.com/shadowread/shadowread/comparator/internal/redact"
)

// pair walks the normalised documents of p once, from a and b down, and
// converts them to the values go-cmp compares: map[string]any for objects,
// map[int]any for arrays (so go-cmp compares them position by position
// rather than with its edit script, which is deliberately unstable),
// map[elementKey]any for arrays matched by key, json.Number, string, bool
// and nil. It reports whether a and b are equal under the comparator's
// rules. With prune set, members and elements that are equal are left out
// and a wholly equal pair returns nil, nil without allocating: the walk
// that finds a matching pair equal is the one that would explain a
// mismatch, so no pair is walked twice.
func (p docPair) pair(a, b *jsontree.Node, prune bool) (ax, ay any, equal bool) {
	if prune && p.twins(a, b) {
		return nil, nil, true
	}
	if a.Type != b.Type || a.Type < jsontree.Array {
		if p.leafEqual(a, b) {
			if prune {
				return nil, nil, true
			}
			v := toValue(p.x, a, forCmp)
			return v, v, true
		}
		if !p.explains() {
			return nil, nil, false
		}
		ax, ay = toValue(p.x, a, forCmp), toValue(p.y, b, forCmp)
		if x, y, ok := p.numericPair(a, b); ok {
			// Under NumericStrings the string is a number: a value change.
			ax, ay = json.Number(x), json.Number(y)
		}
		return ax, ay, false
	}
	if a.Type == jsontree.Object {
		return p.pairObjects(a, b, prune)
	}
	return p.pairArrays(a, b, prune)
}

// pairObjects pairs the members of two objects, merging their sorted runs.
// The maps are made at the first difference, so equal objects cost none.
func (p docPair) pairObjects(a, b *jsontree.Node, prune bool) (any, any, bool) {
	var mx, my map[string]any
	if !prune {
		mx, my = make(map[string]any, a.N), make(map[string]any, b.N)
	}
	grow := func() {
		if mx == nil {
			mx, my = map[string]any{}, map[string]any{}
		}
	}
	equal := true
	as, bs := p.x.Kids(a), p.y.Kids(b)
	for len(as) > 0 || len(bs) > 0 {
		var ka, kb string
		if len(as) > 0 {
			ka = p.x.Text(as[0].Key)
		}
		if len(bs) > 0 {
			kb = p.y.Text(bs[0].Key)
		}
		same := len(as) > 0 && len(bs) > 0 && ka == kb // the usual case, and the cheapest test
		switch {
		case same:
			vx, vy, eq := p.pair(&as[0], &bs[0], prune)
			if !prune || !eq && !skipped(vx, vy) {
				grow()
				mx[ka], my[kb] = vx, vy
			}
			equal = equal && eq
			as, bs = as[1:], bs[1:]
		case len(bs) == 0 || len(as) > 0 && ka < kb:
			if p.explains() {
				grow()
				mx[ka] = toValue(p.x, &as[0], forCmp)
			}
			equal = false
			as = as[1:]
		default: // only the shadow has kb
			if p.explains() {
				grow()
				my[kb] = toValue(p.y, &bs[0], forCmp)
			}
			equal = false
			bs = bs[1:]
		}
	}
	if prune && (equal || mx == nil) {
		return nil, nil, equal // equal, or every difference past the limit
	}
	return mx, my, equal
}

// pairArrays pairs the elements of two arrays: by key where the array is
// matched by key and can be, as a multiset where it is unordered, else by
// position.
func (p docPair) pairArrays(a, b *jsontree.Node, prune bool) (any, any, bool) {
	as, bs := p.x.Kids(a), p.y.Kids(b)
	name := p.c.keyName(a)
	keyed := false // matched by key, with the keys in the same places
	// same elements at the start are equal by position, and so need no
	// pairing when pruned: a wholly equal pair is left out.
	same := 0
	if name != "" {
		// Equal by position is equal by key too: only an array that
		// differs needs an index of its keys.
		if prune {
			if same = p.equalPrefix(as, bs); same == len(as) && same == len(bs) {
				return nil, nil, true
			}
		}
		match, extra, linedUp, ok := p.keyMatch(as, bs, name)
		if ok && (a.Unordered || !linedUp) {
			return p.pairKeyed(as, bs, name, match, extra, same, prune)
		}
		keyed = ok
	}
	// order[i] is the element of b that stands against as[i] (or, past
	// the end of as, against nothing); -1 for none. nil: by position.
	var order []int
	if a.Unordered {
		order = p.alignUnordered(as, bs)
	}
	var mx, my map[int]any
	if !prune {
		mx, my = make(map[int]any, len(as)), make(map[int]any, len(bs))
	}
	grow := func() {
		if mx == nil {
			mx, my = map[int]any{}, map[int]any{}
		}
	}
	equal := true
	first := 0
	if order == nil {
		first = same
	}
	for i := first; i < max(len(as), len(bs), len(order)); i++ {
		j := i
		switch {
		case order != nil:
			j = order[i]
		case i >= len(bs):
			j = -1
		}
		switch {
		case j < 0:
			if p.explains() {
				grow()
				mx[i] = toValue(p.x, &as[i], forCmp)
			}
			equal = false
		case i >= len(as):
			if p.explains() {
				grow()
				my[i] = toValue(p.y, &bs[j], forCmp)
			}
			equal = false
		default:
			vx, vy, eq := p.pair(&as[i], &bs[j], prune)
			if !prune || !eq && !skipped(vx, vy) {
				grow()
				mx[i], my[i] = vx, vy
			}
			equal = equal && eq
		}
	}
	if prune && (equal || mx == nil) {
		return nil, nil, equal // equal, or every difference past the limit
	}
	if keyed {
		// The pairs by position are the pairs by key: name them so.
		return byKey(p.x, as, name, mx), byKey(p.x, as, name, my), equal
	}
	if !equal {
		p.noteArray(mx, as, bs, order == nil)
	}
	return mx, my, equal
}

// explains counts a difference pair has found and reports whether it is
// to be explained: differences past the room left in the result are only
// counted (see skipped), so that a large mismatch costs no more to explain
// than the differences the result keeps.
func (p docPair) explains() bool {
	if p.scratch == nil || p.scratch.room < 0 {
		return true
	}
	p.scratch.found++
	return p.scratch.found <= p.scratch.room
}

// skipped reports whether a pair of unequal values stands for differences
// that were only counted: pair returns nil, nil for them, which no real
// difference is (null equals null).
func skipped(vx, vy any) bool { return vx == nil && vy == nil }

// equalPrefix returns how many elements at the start of as and bs are
// equal position by position.
func (p docPair) equalPrefix(as, bs []jsontree.Node) int {
	i := 0
	for i < len(as) && i < len(bs) && p.equal(&as[i], &bs[i]) {
		i++
	}
	return i
}

// byKey rekeys m, the elements of an array by position, by the keys of the
// elements as, in t, at those positions.
func byKey(t *jsontree.Tree, as []jsontree.Node, name string, m map[int]any) map[elementKey]any {
	out := make(map[elementKey]any, len(m))
	for i, v := range m {
		out[keyOf(t, &as[i], name)] = v
	}
	return out
}

// pairKeyed pairs the elements of an array matched by key (see keyMatch);
// the first same of as are known equal to those of bs at their positions,
// which, pruned, need no pairing where they are also the partners by key.
func (p docPair) pairKeyed(as, bs []jsontree.Node, name string, match, extra []int, same int, prune bool) (any, any, bool) {
	var mx, my map[elementKey]any
	if !prune {
		mx, my = make(map[elementKey]any, len(as)), make(map[elementKey]any, len(bs))
	}
	grow := func() {
		if mx == nil {
			mx, my = map[elementKey]any{}, map[elementKey]any{}
		}
	}
	equal := true
	for i, j := range match {
		if j < 0 {
			if p.explains() {
				grow()
				mx[keyOf(p.x, &as[i], name)] = toValue(p.x, &as[i], forCmp)
			}
			equal = false
			continue
		}
		if prune && i < same && j == i {
			continue // equal, so left out
		}
		vx, vy, eq := p.pair(&as[i], &bs[j], prune)
		if !prune || !eq && !skipped(vx, vy) {
			grow()
			k := keyOf(p.x, &as[i], name)
			mx[k], my[k] = vx, vy
		}
		equal = equal && eq
	}
	for _, j := range extra {
		if p.explains() {
			grow()
			my[keyOf(p.y, &bs[j], name)] = toValue(p.y, &bs[j], forCmp)
		}
		equal = false
	}
	if prune && (equal || mx == nil) {
		return nil, nil, equal // equal, or every difference past the limit
	}
	if !equal {
		p.noteArray(mx, as, bs, false)
	}
	return mx, my, equal
}

// noteArray keeps the hint for the differences inside an array, under the
// map that stands for the primary's array (m, a map[int]any or
// map[elementKey]any), where the reporter finds it: one side empty, or, for
// an array compared by position, the shape arrayHint sees.
func (p docPair) noteArray(m any, as, bs []jsontree.Node, positional bool) {
	if p.scratch == nil {
		return
	}
	h, ok := emptyArrayHint(as, bs)
	if !ok && positional {
		h, ok = p.arrayHint(as, bs)
	}
	if ok {
		if p.scratch.notes == nil {
			p.scratch.notes = make(map[unsafe.Pointer]Hint)
		}
		p.scratch.notes[reflect.ValueOf(m).UnsafePointer()] = h
	}
}

// valueShape says which Go shape toValue converts arrays to.
type valueShape uint8

const (
	forCmp       valueShape = iota // map[int]any: what go-cmp compares
	forNormalize                   // []any: what encoding/json decodes, for Normalize functions
)

// toValue converts n, a node of t, to Go values: map[string]any for
// objects, json.Number, string, bool and nil, and arrays in the given shape.
func toValue(t *jsontree.Tree, n *jsontree.Node, shape valueShape) any {
	switch n.Type {
	case jsontree.Null:
		return nil
	case jsontree.Bool:
		return t.Text(n.Text) == "true"
	case jsontree.Number:
		return json.Number(t.Text(n.Text))
	case jsontree.String:
		return t.Text(n.Text)
	case jsontree.Array:
		kids := t.Kids(n)
		if shape == forNormalize {
			a := make([]any, len(kids))
			for i := range kids {
				a[i] = toValue(t, &kids[i], shape)
			}
			return a
		}
		m := make(map[int]any, len(kids))
		for i := range kids {
			m[i] = toValue(t, &kids[i], shape)
		}
		return m
	default:
		kids := t.Kids(n)
		m := make(map[string]any, len(kids))
		for i := range kids {
			m[t.Text(kids[i].Key)] = toValue(t, &kids[i], shape)
		}
		return m
	}
}

// explain adds the differences between ax and ay, the values pair
// returned, found by go-cmp with a Reporter. The comparator's own rules
// ran in pair, so go-cmp never needs them: values they find equal reach
// go-cmp identical, and without user options equal parts are left out
// altogether, so go-cmp's reflection only walks what differs. It returns
// the elements it found missing or extra in arrays matched by key.
func (p docPair) explain(ax, ay any, out *diffList) []keyedEnd {
	// The reporter works on a copy, so that out, which go-cmp never sees,
	// can stay on the caller's stack.
	r := &diffReporter{p: p, out: *out}
	cmp.Equal(ax, ay, append(slices.Clip(p.c.cmpOpts), cmp.Reporter(r))...)
	*out = r.out
	return r.ends
}

// diffReporter is the go-cmp Reporter that turns go-cmp's unequal reports
// into [Diff] values. It reads go-cmp's path steps, never its text output.
type diffReporter struct {
	p     docPair
	steps []cmp.PathStep
	out   diffList
	ends  []keyedEnd
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
	loc := r.locate()
	d := Diff{Path: loc.path, Field: loc.field}
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
	var x, y any
	if vx.IsValid() {
		x = valueOf(vx)
		d.Primary = r.p.c.describe(x)
	}
	if vy.IsValid() {
		y = valueOf(vy)
		d.Shadow = r.p.c.describe(y)
	}
	d.Hint = hintFor(d.Kind, x, y, loc)
	if loc.keyed && !loc.arrayHintSet && (d.Kind == MissingInShadow || d.Kind == ExtraInShadow) {
		// Balance may make these unknown, but not against the hint of an
		// outer array, such as one with elements left out.
		r.ends = append(r.ends, keyedEnd{index: len(r.out.diffs), array: loc.array, kind: d.Kind})
	}
	r.out.add(d)
}

// location is where a reported difference is, in the forms a Diff needs.
type location struct {
	path, field string
	// element: the last step is to an array element; member: to an
	// object member (neither: the root).
	element, member bool
	// arrayHint is the hint noted for the innermost array compared by
	// position that holds the difference, with the path pattern of that
	// array in its Option; set tells whether there is one.
	arrayHint    Hint
	arrayHintSet bool
	// keyed: the last step is to an element of an array matched by key,
	// whose path is array.
	keyed bool
	array string
}

// locate renders the current go-cmp path in the package's path syntax and
// in its field form: string map keys are members, int and elementKey map
// keys are elements; the steps that do not move in the document (type
// assertions, transformations) add nothing. Member names that are data
// are redacted in both (see redactsKey).
func (r *diffReporter) locate() location {
	c := r.p.c
	var path, field, pattern []byte
	states := c.keys.root()
	var loc location
	patternOK := true // the array's path can be written as a pattern
	for _, step := range r.steps {
		if mi, ok := step.(cmp.MapIndex); ok {
			k := mi.Key()
			switch {
			case k.Kind() == reflect.Int:
				path = appendIndex(path, int(k.Int()))
				field = append(field, "[]"...)
				pattern = append(pattern, "[*]"...)
				states = c.keys.next(states, "", true)
				loc.element, loc.member, loc.keyed = true, false, false
			case k.Type() == elementKeyType:
				loc.array = string(path)
				ek := k.Interface().(elementKey)
				value := ek.value
				if c.redactsElementKey(states, ek.value) {
					value = redact.Step(ek.value)
				}
				path = append(path, '[')
				path = append(path, ek.member...)
				path = append(path, '=')
				path = append(path, value...)
				path = append(path, ']')
				field = append(field, "[]"...)
				pattern = append(pattern, "[*]"...)
				states = c.keys.next(states, "", true)
				loc.element, loc.member, loc.keyed = true, false, true
			case k.Kind() == reflect.String:
				name := k.String()
				if c.redactsKey(states, name) {
					seg := redact.Step(name)
					path = appendRedacted(path, seg)
					field = appendRedacted(field, seg)
					pattern = appendRedacted(pattern, "*")
				} else {
					path = appendKey(path, name)
					field = appendKey(field, name)
					pattern = appendKey(pattern, name)
				}
				states = c.keys.next(states, name, false)
				loc.element, loc.member, loc.keyed = false, true, false
			default:
				patternOK = false // a user's transformer made the key
				loc.keyed = false
			}
		}
		if h, ok := r.noted(step); ok {
			h.Option = arrayOption(h.Option, string(pattern), patternOK)
			loc.arrayHint, loc.arrayHintSet = h, true
		}
	}
	loc.path, loc.field = "$", "$"
	if len(path) > 0 {
		loc.path, loc.field = string(path), string(field)
	}
	return loc
}

// noted returns the hint pair noted for the primary's value at step, an
// array compared by position.
func (r *diffReporter) noted(step cmp.PathStep) (Hint, bool) {
	if r.p.scratch == nil || len(r.p.scratch.notes) == 0 {
		return Hint{}, false
	}
	vx, _ := step.Values()
	switch m := valueOf(vx).(type) {
	case map[int]any, map[elementKey]any:
		h, ok := r.p.scratch.notes[reflect.ValueOf(m).UnsafePointer()]
		return h, ok
	}
	return Hint{}, false
}

var elementKeyType = reflect.TypeFor[elementKey]()

// valueOf returns the value inside v, unwrapping interfaces; nil for a nil
// interface or an invalid value.
func valueOf(v reflect.Value) any {
	if !v.IsValid() || !v.CanInterface() {
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
	case map[int]any, map[elementKey]any:
		return "array"
	case map[string]any:
		return "object"
	}
	// A user's transformer produced it: its Go type is the best name.
	return reflect.TypeOf(x).String()
}
