package flags

import (
	"net/http"
	"testing"
)

// TestDecideRoute: deciding from a Route gives what Decide gives for its
// route, whatever the request's method, and the safe decision once closed.
func TestDecideRoute(t *testing.T) {
	tests := []struct {
		name    string
		percent float64
		primary string
		opts    []Option
		reason  string
	}{
		{name: "sampled", percent: 100, primary: "postgres", reason: "the cached decision of the route"},
		{name: "not sampled, DynamoDB primary", percent: 0, primary: "dynamodb", reason: "the primary comes from the route's entry"},
		{name: "exact mode", percent: 100, primary: "dynamodb", opts: []Option{WithExactEvaluation()}, reason: "exact mode has no entry: the route is decided as by Decide"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, _ := memClient(t, shadowFlags(true, tt.percent, tt.primary))
			f, _, _ := newTestFlags(t, client, tt.opts...)
			get := request(http.MethodGet, "")
			want := f.Decide(get, "/products/{id}")
			rt := f.Route("/products/{id}", http.MethodGet)
			if rt == nil {
				t.Fatalf("Route returned nil for an open Flags (%s)", tt.reason)
			}
			if got := f.DecideRoute(get, rt); got != want {
				t.Errorf("DecideRoute = %+v, Decide = %+v (%s)", got, want, tt.reason)
			}
			head := request(http.MethodHead, "")
			if got, want := f.DecideRoute(head, rt), f.Decide(head, "/products/{id}"); got != want {
				t.Errorf("HEAD: DecideRoute = %+v, Decide = %+v: another method is decided by its own entry", got, want)
			}
			f.Close()
			if got := f.DecideRoute(get, rt); got != f.Safe() {
				t.Errorf("after Close: DecideRoute = %+v, want the safe decision %+v", got, f.Safe())
			}
			if rt := f.Route("/products/{id}", http.MethodGet); rt != nil {
				t.Errorf("Route after Close = %+v, want nil", rt)
			}
		})
	}
}
