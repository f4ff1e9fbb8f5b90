package demo

import "fmt"

// verdict is a phase's result: whether it held, in a few words, and the
// evidence when it did not.
type verdict struct {
	ok       bool
	says     string
	evidence []string
}

func pass(format string, args ...any) verdict {
	return verdict{ok: true, says: fmt.Sprintf(format, args...)}
}

// check adds a condition to a verdict: when it does not hold, the verdict
// fails with the evidence.
func (v *verdict) check(ok bool, format string, args ...any) {
	if !ok {
		v.ok = false
		v.evidence = append(v.evidence, fmt.Sprintf(format, args...))
	}
}
