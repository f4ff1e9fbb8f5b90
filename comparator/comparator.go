package comparator

import "net/http"

// Response is one captured HTTP response: what the primary sent the user, or
// what the shadow would have sent.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Comparator compares a primary response with its shadow.
//
// Compare must be safe for concurrent use and must not keep or modify its
// arguments. It reports problems inside the comparison in [Result.Err]
// instead of panicking.
type Comparator interface {
	Compare(primary, shadow Response) Result
}

// Func adapts a function to the [Comparator] interface.
type Func func(primary, shadow Response) Result

// Compare calls f(primary, shadow).
func (f Func) Compare(primary, shadow Response) Result { return f(primary, shadow) }
