package middleware

import "net/http"

// headerSnapshot is a copy of a response header as it was when the head
// was sent, kept in flat slices that start in arrays of its own, so the
// user's path builds no map and, for a header of a few keys, allocates
// nothing: the shadow builds the http.Header from it.
type headerSnapshot struct {
	isNil  bool
	fields []string // per key: the key, then its values
	counts []int    // per key: how many values, -1 for a nil slice

	fieldSpace [8]string
	countSpace [4]int
}

// take copies h into s, which must be empty.
func (s *headerSnapshot) take(h http.Header) {
	s.isNil = h == nil
	s.fields, s.counts = s.fieldSpace[:0], s.countSpace[:0]
	for k, vv := range h {
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
// the snapshot was taken.
func (s *headerSnapshot) build() http.Header {
	if s.isNil {
		return nil
	}
	h := make(http.Header, len(s.counts))
	values := make([]string, len(s.fields)-len(s.counts))
	i := 0
	for _, n := range s.counts {
		k := s.fields[i]
		i++
		if n < 0 {
			h[k] = nil
			continue
		}
		vv := values[:n:n]
		copy(vv, s.fields[i:i+n])
		values, i = values[n:], i+n
		h[k] = vv
	}
	return h
}
