package comparator

import "slices"

// ruleAction is what a path rule does to the values its path names.
type ruleAction uint8

const (
	actIgnore    ruleAction = iota // IgnorePaths: remove the value
	actUnordered                   // UnorderedPaths: compare the array as a multiset
	actNormalize                   // Normalize: replace the value by fn's result
	actKeyed                       // KeyedArrays: match the array's elements by key
	actMapKeys                     // MapPaths: the object's member names are data
	actShowKeys                    // ShowKeys: show the object's member names
)

// pathRule is one compiled path option.
type pathRule struct {
	pattern string
	segs    []segment
	action  ruleAction
	fn      func(any) any // for actNormalize
	keyed   uint8         // for actKeyed: Node.Keyed of the arrays it names
}

// matcher runs every path rule at once over a document, as a small
// automaton: a pathState says how far one rule's pattern has matched the
// path to the current value. Descending one step maps the states of a
// value to those of its child; a rule whose state has consumed the whole
// pattern applies to the value.
type matcher struct {
	rules []pathRule
}

type pathState struct {
	rule, pos int32
}

// root returns the states of the document root.
func (m *matcher) root() []pathState {
	var states []pathState
	for i := range m.rules {
		states = m.add(states, int32(i), 0)
	}
	return states
}

// next returns the states of the child reached from a value in states cur
// by one step: to the member named key, or to an element when index is set.
func (m *matcher) next(cur []pathState, key string, index bool) []pathState {
	if len(cur) == 0 {
		return nil
	}
	var out []pathState
	for _, st := range cur {
		segs := m.rules[st.rule].segs
		if int(st.pos) == len(segs) {
			continue
		}
		switch seg := segs[st.pos]; seg.kind {
		case segAnyDepth:
			out = m.add(out, st.rule, st.pos) // the step stays inside **
		case segKey:
			if !index && key == seg.key {
				out = m.add(out, st.rule, st.pos+1)
			}
		case segAnyKey:
			if !index {
				out = m.add(out, st.rule, st.pos+1)
			}
		case segAnyIndex:
			if index {
				out = m.add(out, st.rule, st.pos+1)
			}
		}
	}
	return out
}

// add adds the state (rule, pos) to states, and, because ** also matches
// no step at all, the states after each ** it stands before.
func (m *matcher) add(states []pathState, rule, pos int32) []pathState {
	segs := m.rules[rule].segs
	for {
		st := pathState{rule, pos}
		if !slices.Contains(states, st) {
			states = append(states, st)
		}
		if int(pos) >= len(segs) || segs[pos].kind != segAnyDepth {
			return states
		}
		pos++
	}
}

// applies reports whether a rule with action a names the value in states.
func (m *matcher) applies(states []pathState, a ruleAction) bool {
	for _, st := range states {
		r := &m.rules[st.rule]
		if r.action == a && int(st.pos) == len(r.segs) {
			return true
		}
	}
	return false
}

// keyed returns the Node.Keyed mark of an array in states: that of the last
// KeyedArrays rule naming it, so a later option overrides an earlier one.
func (m *matcher) keyed(states []pathState) uint8 {
	var k uint8
	best := int32(-1)
	for _, st := range states {
		r := &m.rules[st.rule]
		if r.action == actKeyed && int(st.pos) == len(r.segs) && st.rule > best {
			k, best = r.keyed, st.rule
		}
	}
	return k
}
