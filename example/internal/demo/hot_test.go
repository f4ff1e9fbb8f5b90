package demo_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shadowread/shadowread/example/internal/demo"
)

// TestHotWriter: every order goes with a read of the same customer's list,
// each order names its customer, and a write under way when the context
// ends is finished and counted.
func TestHotWriter(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var bodies []string
	reads := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("X-Customer-Id") != "42" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/customers/42/orders":
			reads++
		case r.Method == http.MethodPost && r.URL.Path == "/customers/42/orders":
			body, _ := io.ReadAll(r.Body)
			bodies = append(bodies, string(body))
			if len(bodies) == 3 {
				cancel() // the load ends while this write is under way
			}
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"id":%d}`, 1000+len(bodies))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()

	h := demo.HotWriter{BaseURL: srv.URL, Customer: 42, SKUs: []string{"P1-M", "P2-S"}, Every: time.Millisecond}
	got := h.Run(ctx)
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(got.Placed, []int64{1001, 1002, 1003}) || got.Failed != 0 || got.Reads != 3 || reads != 3 {
		t.Errorf("Run = %+v with %d reads served, want orders 1001-1003, 3 reads, no failure: the write under way at the end counts", got, reads)
	}
	if len(bodies) != 3 || !strings.Contains(bodies[0], `"P1-M"`) || !strings.Contains(bodies[1], `"P2-S"`) {
		t.Errorf("orders %v, want one line each, the SKUs in turn", bodies)
	}
}
