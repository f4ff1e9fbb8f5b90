package demo_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/shadowread/shadowread/example/demo"
)

// TestHotWriter: every write goes with a read of the same product, each
// write sets a price other than the one before, and a write under way when
// the context ends is finished and counted.
func TestHotWriter(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var prices []string
	reads := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/products/42":
			reads++
		case r.Method == http.MethodPut && r.URL.Path == "/products/42/variants/P42-M/price":
			body, _ := io.ReadAll(r.Body)
			prices = append(prices, string(body))
			if len(prices) == 3 {
				cancel() // the load ends while this write is under way
			}
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()

	h := demo.HotWriter{BaseURL: srv.URL, Variant: demo.VariantRef{Product: 42, SKU: "P42-M"}, Writer: 1, Reader: 2, Every: time.Millisecond}
	got := h.Run(ctx)
	mu.Lock()
	defer mu.Unlock()
	if got.Writes != 3 || got.Failed != 0 || got.Reads != 3 || reads != 3 {
		t.Errorf("Run = %+v with %d reads served, want 3 writes, 3 reads, no failure: the write under way at the end counts", got, reads)
	}
	for i := 1; i < len(prices); i++ {
		if prices[i] == prices[i-1] {
			t.Errorf("write %d sets %s again: each write must change the product", i, prices[i])
		}
	}
}
