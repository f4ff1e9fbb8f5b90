// Package catalog is the load target's service: a copy of the example's
// read path (github.com/shadowread/shadowread/example/internal/catalog),
// the model, the two stores and the three read endpoints, without its
// migration tools. The benchmarks measure the library around a service
// that stays the same from run to run, so the copy changes only when the
// benchmarks' service should.
package catalog
