package comparator

import (
	"github.com/shadowread/shadowread/comparator/internal/jsontree"
)

// scans reports whether the comparator may check a shadow body against the
// primary's tree as it reads it (scanEqual): when no Normalize function
// has to see the shadow's values and no go-cmp option decides on them.
func (c *jsonComparator) scans() bool {
	return len(c.normalizers) == 0 && len(c.cmpOpts) == 0 && !c.noScan
}

// scanEqual reports whether body, the shadow's, is equal under the options
// to x, the primary's normalised tree, reading body once without building
// its tree. It only ever proves equality: false means a difference, a body
// that does not decode, or a case the scan leaves to the full comparison
// (elements out of place, a member the primary lacks that might only look
// absent after normalisation), which then decides. Without path rules it
// reads on past scalars that differ, and when it reads the whole body so,
// sets b.read: the shadow's tree is then twinTree's.
//
// It holds the shadow to what decoding and normalising it would: every
// byte is read by the decoder's rules, members the primary lacks must be
// ignored or count as absent, and no name may occur twice. Equal element
// by element is equal however the array is matched (by key, unordered).
func (c *jsonComparator) scanEqual(x *jsontree.Tree, body []byte, b *buffers) bool {
	r := &b.reader
	if !r.Reset(body, c.decode) {
		return false
	}
	if len(c.rules.rules) == 0 {
		p := plainScan{c: c, x: x, r: r, src: r.Body(), max: r.MaxDepth(), seen: b.seen[:0], absent: b.absent[:0], subst: b.subst[:0], dirty: b.dirty[:0]}
		equal, read := p.equal()
		b.seen, b.absent, b.subst, b.dirty = p.seen, p.absent, p.subst, p.dirty
		b.read = read && !equal
		return equal
	}
	s := scan{c: c, x: x, r: r, seen: b.seen[:0], absent: b.absent[:0]}
	equal := s.value(x.Root(), c.rules.root()) && r.Done()
	b.seen, b.absent = s.seen, s.absent
	return equal
}

// scan is one scanEqual under way where path rules apply, which it follows
// with the path's rule states; plainScan reads without them.
type scan struct {
	c *jsonComparator
	x *jsontree.Tree
	r *jsontree.Reader
	// seen holds, for the objects being read, one bit per member of the
	// primary's object: the shadow named it already.
	seen []uint64
	// absent holds, for the objects being read, the names of the shadow's
	// members that the primary lacks and that are ignored or count as
	// absent, to refuse a name twice.
	absent []string
}

// value reports whether the shadow's value at the reader equals a, whose
// path has the rule states states.
func (s *scan) value(a *jsontree.Node, states []pathState) bool {
	switch c := s.r.Peek(); {
	case c == '{':
		return a.Type == jsontree.Object && s.object(a, states)
	case c == '[':
		return a.Type == jsontree.Array && s.array(a, states)
	case c == '"':
		if a.Type == jsontree.String {
			// Most strings are written alike on both sides: compare the
			// bytes before reading them.
			if text, ok := s.x.Verbatim(a.Text); ok && s.r.Quoted(text) {
				return true
			}
		}
	case c == '-' || c >= '0' && c <= '9':
		lit, ok := s.r.Number()
		if !ok {
			return false
		}
		if a.Type == jsontree.Number {
			return s.c.numbersEqual(s.x.Text(a.Text), lit)
		}
		return s.c.scalarsEqual(a.Type, s.x.Text(a.Text), jsontree.Number, lit)
	}
	typ, text := s.r.Scalar()
	return !s.r.Failed() && s.c.scalarsEqual(a.Type, s.x.Text(a.Text), typ, text)
}

// object reports whether the shadow's object at the reader has the members
// of a, with equal values, and no other but ignored or absent ones. The
// shadow's members come in any order; when in a's (sorted) order, each is
// found at the next place.
func (s *scan) object(a *jsontree.Node, states []pathState) bool {
	kids := s.x.Kids(a)
	if !s.r.Open() {
		return false
	}
	seenAt, absentAt := len(s.seen), len(s.absent)
	for range (len(kids) + 63) / 64 {
		s.seen = append(s.seen, 0)
	}
	seen := s.seen[seenAt:]
	matched, next := 0, 0
	for first := true; ; first = false {
		// Members in sorted order, as DynamoDB's side often has them, are
		// each where the last one ended: look there first.
		want, expect := s.expectedName(kids, next)
		more, named := s.r.Member(first, want, expect)
		if !more {
			break
		}
		var name string
		i := -1
		if named {
			name, i = want, next
		} else {
			name = s.r.Name()
		}
		if s.r.Failed() {
			return false
		}
		child := s.c.rules.next(states, name, false)
		switch {
		case s.c.rules.applies(child, actIgnore):
			i = -1
		case i < 0:
			i = s.x.Find(kids, name)
		}
		if i < 0 {
			if !s.absentMember(name, child, absentAt) {
				return false
			}
			continue
		}
		word, bit := uint(i)/64, uint64(1)<<(uint(i)%64)
		if seen[word]&bit != 0 {
			return false // a name twice
		}
		seen[word] |= bit
		matched++
		next = i + 1
		if !s.value(&kids[i], child) {
			return false
		}
	}
	s.seen, s.absent = s.seen[:seenAt], s.absent[:absentAt]
	return !s.r.Failed() && matched == len(kids)
}

// expectedName returns the name of kids[next], when there is one and it
// is written as it reads (see jsontree.Reader.Quoted).
func (s *scan) expectedName(kids []jsontree.Node, next int) (string, bool) {
	if next >= len(kids) {
		return "", false
	}
	return s.x.Verbatim(kids[next].Key)
}

// absentMember reads the value of the shadow's member name, which the
// primary's object lacks, and reports whether it may be left out: ignored,
// or counting as absent, and not named before in its object (absent[from:]
// holds the names of its members left out so far).
func (s *scan) absentMember(name string, states []pathState, from int) bool {
	ignored := s.c.rules.applies(states, actIgnore)
	v := s.r.Value()
	if s.r.Failed() {
		return false
	}
	// With path rules the reader drops nothing (see plainScan for the
	// scan without them): a container that is only empty after
	// normalisation is left to the full comparison.
	if !ignored && !s.c.countsAsMissing(v) {
		return false
	}
	for _, n := range s.absent[from:] {
		if n == name {
			return false
		}
	}
	s.absent = append(s.absent, name)
	return true
}

// array reports whether the shadow's array at the reader has a's elements,
// equal position by position, but for ignored ones.
func (s *scan) array(a *jsontree.Node, states []pathState) bool {
	kids := s.x.Kids(a)
	if !s.r.Open() {
		return false
	}
	child := s.c.rules.next(states, "", true)
	ignored := s.c.rules.applies(child, actIgnore)
	k := 0
	for first := true; s.r.More(jsontree.Array, first); first = false {
		if ignored {
			s.r.Value() // read by the decoder's rules all the same
			continue
		}
		if k == len(kids) || !s.value(&kids[k], child) {
			return false
		}
		k++
	}
	return !s.r.Failed() && k == len(kids)
}
