package middleware

import (
	"fmt"
	"runtime/debug"
)

// PanicError is the error of a shadow handler that panicked. It keeps the
// panic value and the stack, so a report can say where the shadow broke.
type PanicError struct {
	Value any
	Stack []byte
}

func newPanicError(v any) *PanicError {
	return &PanicError{Value: v, Stack: debug.Stack()}
}

func (p *PanicError) Error() string {
	return fmt.Sprintf("middleware: shadow handler panicked: %v", p.Value)
}

// Unwrap returns the panic value if it is an error.
func (p *PanicError) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}
