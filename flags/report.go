package flags

import "sync"

// maxReportsPerRefresh bounds the distinct problems remembered per refresh,
// so a flag whose bad value differs per route or per user cannot grow the
// set without limit.
const maxReportsPerRefresh = 64

// reporter hands each distinct problem to the error handler once per
// refresh generation, not once per request. A problem is its flag and its
// error: the same bad value or provider failure seen on many routes is
// reported once, with the first route that met it.
type reporter struct {
	handle func(error)

	mu         sync.Mutex
	generation uint64
	seen       map[string]struct{}
}

func newReporter(handle func(error)) *reporter {
	return &reporter{handle: handle, seen: make(map[string]struct{})}
}

// report passes err on unless the same problem was already reported in
// generation or a later one.
func (r *reporter) report(generation uint64, err *FlagError) {
	msg := err.Key + "\x00" + err.Err.Error()
	r.mu.Lock()
	if generation > r.generation {
		r.generation = generation
		clear(r.seen)
	}
	_, dup := r.seen[msg]
	fresh := !dup && len(r.seen) < maxReportsPerRefresh
	if fresh {
		r.seen[msg] = struct{}{}
	}
	r.mu.Unlock()
	if fresh {
		r.handle(err)
	}
}
