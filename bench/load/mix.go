package load

import (
	"fmt"
	"math/rand/v2"
	"net/http"
)

// Request is one request of a run: a path on the target and its headers.
type Request struct {
	Route  string // the route's name, for reports
	Path   string // path and query
	Header http.Header
}

// Route is one kind of request in a mix, drawn with probability
// Weight / (sum of weights).
type Route struct {
	Name   string
	Weight int
	// New returns a request of this route; it draws ids from rng.
	New func(rng *rand.Rand) Request
}

// Mix is a fixed request mix.
type Mix []Route

// Requests returns n requests drawn from the mix. The same seed gives the
// same sequence, so every variant of a benchmark serves the same requests.
// It panics if the mix has no positive weight.
func (m Mix) Requests(seed uint64, n int) []Request {
	total := 0
	for _, r := range m {
		if r.Weight < 0 {
			panic(fmt.Sprintf("load: route %q has negative weight %d", r.Name, r.Weight))
		}
		total += r.Weight
	}
	if total == 0 {
		panic("load: Mix.Requests: the mix has no route with a positive weight")
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]Request, n)
	for i := range out {
		pick := rng.IntN(total)
		for _, r := range m {
			if pick < r.Weight {
				out[i] = r.New(rng)
				out[i].Route = r.Name
				break
			}
			pick -= r.Weight
		}
	}
	return out
}
