package app_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shadowread/shadowread/example/internal/app"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/middleware"
)

// TestNoiseBaseline: the service compares a share of its primaries with
// themselves, so the order list's request_id, new on every read, is learned
// as noise; a negative share turns the baseline off and nothing is learned.
func TestNoiseBaseline(t *testing.T) {
	tests := []struct {
		name      string
		percent   float64
		wantShare float64
		wantNoise []string
		reason    string
	}{
		{name: "default", percent: 0, wantShare: app.DefaultNoiseBaseline,
			reason: "a zero Config means the default share; a few percent may not have learned yet after a few reads"},
		{name: "every sample", percent: 100, wantShare: 100, wantNoise: []string{"request_id"},
			reason: "the request id differs between two reads of every customer's list, so 20 A/A pairs over 20 customers learn it"},
		{name: "off", percent: -1, wantShare: 0,
			reason: "a negative share turns the baseline off: nothing is learned"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, srv, _ := service(t, func(c *app.Config) { c.NoiseBaseline = tt.percent })
			if a.NoiseBaseline != tt.wantShare {
				t.Errorf("NoiseBaseline = %v, want %v: %s", a.NoiseBaseline, tt.wantShare, tt.reason)
			}
			for i := range middleware.NoiseMinPairs {
				get(t, fmt.Sprintf("%s/customers/%d/orders", srv.URL, 1+i))
			}
			deadline := time.Now().Add(10 * time.Second)
			for a.Shadow.InFlight() > 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			got := a.Shadow.Noise(catalog.RouteCustomerOrders)
			if tt.wantNoise != nil && !slices.Equal(got, tt.wantNoise) {
				t.Errorf("Noise = %q, want %q: %s", got, tt.wantNoise, tt.reason)
			}
			if tt.wantShare == 0 && len(got) != 0 {
				t.Errorf("Noise = %q with the baseline off: %s", got, tt.reason)
			}
		})
	}
}
