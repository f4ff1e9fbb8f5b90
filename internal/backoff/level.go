package backoff

import "math/rand/v2"

// MaxLevel is the deepest level: it admits 1 call in 2^10 = 1,024.
const MaxLevel = 10

// Level is a depth of back-off, from 0 (every call goes ahead) to
// [MaxLevel]. Each level deeper halves the share of calls admitted.
type Level int

// Admit reports whether one call goes ahead: always at level 0, else one
// time in 2^l at random.
func (l Level) Admit() bool {
	if l <= 0 {
		return true
	}
	return rand.Uint64()&(1<<l-1) == 0
}

// Deeper returns the level one step deeper, at most [MaxLevel].
func (l Level) Deeper() Level { return min(l+1, MaxLevel) }

// Shallower returns the level n steps shallower, at least 0.
func (l Level) Shallower(n int) Level { return max(l-Level(n), 0) }

// Share returns the share of calls admitted at l: 1/2^l.
func (l Level) Share() float64 { return 1 / float64(uint64(1)<<max(l, 0)) }
