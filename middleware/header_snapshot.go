package middleware

import (
	"net/http"
	"sync"
)

// headerSnapshot is a copy of a response header as it was when the head
// was sent, kept in flat slices that are reused, so the user's path builds
// no map: the shadow builds the http.Header from it.
type headerSnapshot struct {
	isNil  bool
	fields []string // per key: the key, then its values
	counts []int    // per key: how many values, -1 for a nil slice
}

var headerSnapshots = sync.Pool{New: func() any { return new(headerSnapshot) }}

// maxPooledFields keeps a snapshot of an unusually large header out of the
// pool, so one such response does not hold its memory for good.
const maxPooledFields = 256

func takeHeaderSnapshot(h http.Header) *headerSnapshot {
	s := headerSnapshots.Get().(*headerSnapshot)
	s.isNil = h == nil
	for k, vv := range h {
		s.fields = append(s.fields, k)
		s.fields = append(s.fields, vv...)
		n := len(vv)
		if vv == nil {
			n = -1 // as Header.Clone, which keeps nil values
		}
		s.counts = append(s.counts, n)
	}
	return s
}

// build returns the header, as Header.Clone would have returned it when
// the snapshot was taken, and gives the snapshot back for reuse: it must
// not be used again.
func (s *headerSnapshot) build() http.Header {
	defer s.release()
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

func (s *headerSnapshot) release() {
	if cap(s.fields) > maxPooledFields {
		return
	}
	clear(s.fields) // let go of the strings
	s.fields, s.counts = s.fields[:0], s.counts[:0]
	headerSnapshots.Put(s)
}
