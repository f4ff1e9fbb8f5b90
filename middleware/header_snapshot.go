package middleware

import (
	"net/http"
	"slices"
)

// headerSnapshot is a copy of a response header as it was when the head
// was sent, less what outer middleware had set and the handler left alone.
// It is kept in flat slices that start in arrays of its own, so the user's
// path builds no map and, for a header of a few keys, allocates nothing:
// the shadow builds the http.Header from it.
type headerSnapshot struct {
	isNil  bool
	fields []string // per key: the key, then its values
	counts []int    // per key: how many values, -1 for a nil slice

	fieldSpace [8]string
	countSpace [4]int
}

// take copies h into s, which must be empty, but for what outer (nil when
// the header was empty) says the handler did not set.
func (s *headerSnapshot) take(h http.Header, outer *outerHeader) {
	s.isNil = h == nil
	s.fields, s.counts = s.fieldSpace[:0], s.countSpace[:0]
	for k, vv := range h {
		if outer != nil {
			var set bool
			if vv, set = outer.handlerPart(k, vv); !set {
				continue
			}
		}
		s.fields = append(s.fields, k)
		s.fields = append(s.fields, vv...)
		n := len(vv)
		if vv == nil {
			n = -1 // as Header.Clone, which keeps nil values
		}
		s.counts = append(s.counts, n)
	}
}

// build returns the header, as Header.Clone would have returned it when
// the snapshot was taken. Its values are slices of s's own, capped at
// their length: s is taken once and never changes after, so they need no
// copy.
func (s *headerSnapshot) build() http.Header {
	if s.isNil {
		return nil
	}
	h := make(http.Header, len(s.counts))
	i := 0
	for _, n := range s.counts {
		k := s.fields[i]
		i++
		if n < 0 {
			h[k] = nil
			continue
		}
		h[k] = s.fields[i : i+n : i+n]
		i += n
	}
	return h
}

// matches reports whether h holds what s does, key by key and value by
// value, nil values included: the header has not changed since s was
// taken, whatever was set and set back in between.
func (s *headerSnapshot) matches(h http.Header) bool {
	if s.isNil || h == nil || len(h) != len(s.counts) {
		return s.isNil && h == nil
	}
	i := 0
	for _, n := range s.counts {
		vv, ok := h[s.fields[i]]
		i++
		switch {
		case !ok || (n < 0) != (vv == nil):
			return false
		case n < 0:
			continue
		case !slices.Equal(vv, s.fields[i:i+n]):
			return false
		}
		i += n
	}
	return true
}

// outerHeader is the response header as outer middleware (CORS, cache
// control, a fixed header) had set it when the shadower's capture began.
// The shadow's writer starts empty and the handler's second runs start
// empty, so these headers are not part of the handler's answer: compared,
// they would differ on every pair.
type outerHeader struct {
	keys []string
	// values are the header's own slices: a value the handler sets again,
	// even to the same, is a new slice, and is the handler's.
	values [][]string
	// copies holds each key's values, flat, ends[i] closing key i's: a
	// value edited in place is the handler's too.
	copies []string
	ends   []int

	keySpace   [4]string
	valueSpace [4][]string
	copySpace  [8]string
	endSpace   [4]int
}

// newOuterHeader notes h, or returns nil when h is empty, the common case,
// which then costs nothing more.
func newOuterHeader(h http.Header) *outerHeader {
	if len(h) == 0 {
		return nil
	}
	o := &outerHeader{}
	o.keys, o.values, o.copies, o.ends = o.keySpace[:0], o.valueSpace[:0], o.copySpace[:0], o.endSpace[:0]
	for k, vv := range h {
		o.keys = append(o.keys, k)
		o.values = append(o.values, vv)
		o.copies = append(o.copies, vv...)
		o.ends = append(o.ends, len(o.copies))
	}
	return o
}

// handlerPart returns what the handler set of key k, whose values are now
// vv: all of vv for a key outer middleware did not set or the handler set
// anew, the values it added after outer middleware's, and false when the
// key is as outer middleware left it.
func (o *outerHeader) handlerPart(k string, vv []string) ([]string, bool) {
	i := slices.Index(o.keys, k)
	if i < 0 {
		return vv, true
	}
	start := 0
	if i > 0 {
		start = o.ends[i-1]
	}
	was := o.copies[start:o.ends[i]]
	switch {
	case len(vv) == len(was) && slices.Equal(vv, was) && sameArray(vv, o.values[i]):
		return nil, false
	case len(vv) > len(was) && slices.Equal(vv[:len(was)], was):
		return vv[len(was):], true // added to, as a handler adds to Vary
	}
	return vv, true
}

// sameArray reports whether a and b, of the same length, share their
// first element: the same slice, not one set again.
func sameArray(a, b []string) bool {
	return len(a) == 0 || &a[0] == &b[0]
}
