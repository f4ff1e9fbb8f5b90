package comparator

import (
	"github.com/shadowread/shadowread/comparator/internal/jsonnum"
	"github.com/shadowread/shadowread/comparator/internal/jsontree"
)

// plainScan is scanEqual without path rules, as [PostgresDynamoDB] and a
// comparator without options have it: the same verdicts, reached by
// reading the body's bytes in place, the position passed from call to call
// rather than kept in the reader. What it does not read itself (escaped
// strings, literals, names the primary lacks and their values) it hands to
// the reader, and takes the position back after.
type plainScan struct {
	c   *jsonComparator
	x   *jsontree.Tree
	r   *jsontree.Reader
	src string
	// max is how deeply containers may nest (Options.MaxDepth).
	max int
	// seen and absent are scan's, for objects of more than 64 members
	// (seen) and for the members the primary lacks (absent).
	seen   []uint64
	absent []string
	// subst lists the shadow's scalars that are not written as the
	// primary's, equal or not, and dirty the primary's nodes where the
	// shadow's value differs, and the containers that hold them: once the
	// whole body is read, the primary's tree rewritten with subst is the
	// shadow's (see buffers.twinTree).
	subst []scalarSubst
	dirty []*jsontree.Node
}

// scalarSubst is a scalar of the shadow's, of type typ and text text,
// that stands against node in the primary's tree.
type scalarSubst struct {
	node *jsontree.Node
	typ  jsontree.Type
	text string
}

// equal reports whether the whole body equals x's root, and whether it
// was read to its end: then it differs only where dirty says.
func (s *plainScan) equal() (equal, read bool) {
	pos, ok := s.value(s.x.Root(), 0, 0)
	if !ok {
		return false, false
	}
	pos = skipSpace(s.src, pos)
	read = pos == len(s.src)
	return read && len(s.dirty) == 0, read
}

// skipSpace returns the position of the first byte at or after pos that is
// not JSON space.
func skipSpace(src string, pos int) int {
	for pos < len(src) && src[pos] <= ' ' && (src[pos] == ' ' || src[pos] == '\n' || src[pos] == '\r' || src[pos] == '\t') {
		pos++
	}
	return pos
}

// value reads the value at pos, in depth containers, and reports whether
// it equals a, and where it ends.
func (s *plainScan) value(a *jsontree.Node, pos, depth int) (int, bool) {
	src := s.src
	pos = skipSpace(src, pos)
	if pos >= len(src) {
		return pos, false
	}
	switch c := src[pos]; {
	case c == '{':
		if a.Type != jsontree.Object {
			return pos, false
		}
		return s.object(a, pos, depth)
	case c == '[':
		if a.Type != jsontree.Array {
			return pos, false
		}
		return s.array(a, pos, depth)
	case c == '"':
		if a.Type == jsontree.String {
			// Most strings are written alike on both sides: compare the
			// bytes before reading them.
			if text, ok := s.x.Verbatim(a.Text); ok {
				if end := jsontree.QuotedAt(src, pos, text); end >= 0 {
					return end, true
				}
			}
		}
	case c == '-' || c >= '0' && c <= '9':
		end := jsonnum.End(src, pos)
		if end < 0 || end < len(src) && isNumberByte(src[end]) {
			return pos, false
		}
		lit, x := src[pos:end], s.x.Text(a.Text)
		if a.Type == jsontree.Number {
			if lit == x {
				return end, true
			}
			if s.c.numbersEqual(x, lit) {
				s.subst = append(s.subst, scalarSubst{node: a, typ: jsontree.Number, text: lit})
				return end, true
			}
			return end, s.differs(a, jsontree.Number, lit)
		}
		return end, s.scalar(a, x, jsontree.Number, lit)
	}
	s.r.At(pos, depth)
	typ, text := s.r.Scalar()
	pos, _ = s.r.Pos()
	if s.r.Failed() {
		return pos, false
	}
	x := s.x.Text(a.Text)
	if typ == a.Type && text == x {
		return pos, true
	}
	return pos, s.scalar(a, x, typ, text)
}

// scalar compares the shadow's scalar of type typ and text text with a,
// whose text is x, written otherwise, notes it, and reports whether the
// scan may go on (see differs).
func (s *plainScan) scalar(a *jsontree.Node, x string, typ jsontree.Type, text string) bool {
	if !s.c.scalarsEqual(a.Type, x, typ, text) {
		return s.differs(a, typ, text)
	}
	s.subst = append(s.subst, scalarSubst{node: a, typ: typ, text: text})
	return true
}

// differs notes the shadow's scalar of type typ and text text, which
// differs from a, and reports whether the scan may go on: not when a
// container stands against the scalar, nor a null that decoding drops from
// an object, which change the shape of the shadow's tree and are left to
// the full comparison.
func (s *plainScan) differs(a *jsontree.Node, typ jsontree.Type, text string) bool {
	if a.Type >= jsontree.Array || typ == jsontree.Null && s.c.nullEqualsMissing {
		return false
	}
	s.dirty = append(s.dirty, a)
	s.subst = append(s.subst, scalarSubst{node: a, typ: typ, text: text})
	return true
}

// isNumberByte reports whether c may be part of a number: one that follows
// a number's end makes it no number, as the decoder has it.
func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E'
}

// object reads the object at pos (its opening brace) and reports whether
// it has the members of a, with equal values, and no other but ones that
// count as absent. Members in a's (sorted) order are each found at the
// next place; others are looked up.
func (s *plainScan) object(a *jsontree.Node, pos, depth int) (int, bool) {
	src := s.src
	if depth >= s.max {
		return pos, false
	}
	depth++
	kids := s.x.Kids(a)
	pos = skipSpace(src, pos+1)
	if pos < len(src) && src[pos] == '}' {
		return pos + 1, len(kids) == 0
	}
	// seen holds one bit per member of a: the shadow named it already; in
	// a word of its own for the usual object, in s.seen for a larger one.
	var word uint64
	var seen []uint64
	seenAt, absentAt := len(s.seen), len(s.absent)
	if len(kids) > 64 {
		for range (len(kids) + 63) / 64 {
			s.seen = append(s.seen, 0)
		}
		seen = s.seen[seenAt:]
	}
	matched, next, dirtyAt := 0, 0, len(s.dirty)
	for {
		i := -1
		if next < len(kids) {
			if want, ok := s.x.Verbatim(kids[next].Key); ok {
				if end := jsontree.QuotedAt(src, pos, want); end >= 0 {
					i, pos = next, end
				}
			}
		}
		var name string
		if i >= 0 {
			pos = skipSpace(src, pos)
			if pos >= len(src) || src[pos] != ':' {
				return pos, false
			}
			pos++
		} else {
			s.r.At(pos, depth)
			name = s.r.Name()
			if s.r.Failed() {
				return pos, false
			}
			pos, _ = s.r.Pos()
			i = s.x.Find(kids, name)
		}
		var ok bool
		if i < 0 {
			if pos, ok = s.absentMember(name, pos, depth, absentAt); !ok {
				return pos, false
			}
		} else {
			if seen == nil {
				bit := uint64(1) << uint(i)
				if word&bit != 0 {
					return pos, false // a name twice
				}
				word |= bit
			} else {
				w, bit := uint(i)/64, uint64(1)<<(uint(i)%64)
				if seen[w]&bit != 0 {
					return pos, false
				}
				seen[w] |= bit
			}
			matched++
			next = i + 1
			if pos, ok = s.value(&kids[i], pos, depth); !ok {
				return pos, false
			}
		}
		pos = skipSpace(src, pos)
		if pos >= len(src) {
			return pos, false
		}
		switch src[pos] {
		case ',':
			pos = skipSpace(src, pos+1)
			continue
		case '}':
			pos++
		default:
			return pos, false
		}
		break
	}
	s.seen, s.absent = s.seen[:seenAt], s.absent[:absentAt]
	if len(s.dirty) > dirtyAt {
		s.dirty = append(s.dirty, a)
	}
	return pos, matched == len(kids)
}

// absentMember reads the value at pos of the shadow's member name, which
// the primary's object lacks, and reports whether it counts as absent and
// was not named before in its object (absent[from:] holds the names of
// its members left out so far).
func (s *plainScan) absentMember(name string, pos, depth, from int) (int, bool) {
	s.r.At(pos, depth)
	v := s.r.Value()
	pos, _ = s.r.Pos()
	if s.r.Failed() || !s.c.countsAsMissing(v) {
		return pos, false
	}
	for _, n := range s.absent[from:] {
		if n == name {
			return pos, false
		}
	}
	s.absent = append(s.absent, name)
	return pos, true
}

// array reads the array at pos (its opening bracket) and reports whether
// it has a's elements, equal position by position.
func (s *plainScan) array(a *jsontree.Node, pos, depth int) (int, bool) {
	src := s.src
	if depth >= s.max {
		return pos, false
	}
	depth++
	kids := s.x.Kids(a)
	pos = skipSpace(src, pos+1)
	if pos < len(src) && src[pos] == ']' {
		return pos + 1, len(kids) == 0
	}
	dirtyAt := len(s.dirty)
	for k := 0; ; k++ {
		if k == len(kids) {
			return pos, false
		}
		var ok bool
		if pos, ok = s.value(&kids[k], pos, depth); !ok {
			return pos, false
		}
		pos = skipSpace(src, pos)
		if pos >= len(src) {
			return pos, false
		}
		switch src[pos] {
		case ',':
			pos++
			continue
		case ']':
			if len(s.dirty) > dirtyAt {
				s.dirty = append(s.dirty, a)
			}
			return pos + 1, k+1 == len(kids)
		}
		return pos, false
	}
}
