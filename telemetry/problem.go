package telemetry

import (
	"fmt"
	"sync"
)

// problemSources are the funcs asked, on each report, what keeps the
// service from shadowing.
type problemSources struct {
	mu    sync.Mutex
	funcs []func() error
}

// current returns the problems the sources report now, each error of a
// joined one on its own, a source that panics as a problem of its own.
func (p *problemSources) current() []string {
	p.mu.Lock()
	funcs := p.funcs
	p.mu.Unlock()
	var out []string
	for _, f := range funcs {
		for _, err := range unjoin(ask(f)) {
			out = append(out, err.Error())
		}
	}
	return out
}

// ask calls f, turning a panic into the problem it is.
func ask(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("telemetry: a problem source panicked: %v", p)
		}
	}()
	return f()
}

// unjoin splits an errors.Join into its errors.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
