package middleware_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shadowread/shadowread/middleware"
)

// TestHeapBoundedUnderSlowShadows serves 20,000 sampled requests whose
// shadows hang, as against a store that stopped answering and whose client
// ignores its context, the worst case. However fast the requests come, at
// most MaxConcurrent shadows exist, the rest are dropped at once, and the
// heap stays where it was. Once the store answers again, the hung shadows
// end as timeouts.
func TestHeapBoundedUnderSlowShadows(t *testing.T) {
	const (
		requests = 20_000
		workers  = 8
		slots    = 16
		heapRoom = 64 << 20 // far above what 16 shadows hold, far below what 20,000 would
	)
	body := bytes.Repeat([]byte(`{"sku":"0000000000","qty":1},`), 8<<10/29)
	release := make(chan struct{})
	var running, maxRunning atomic.Int64
	rec := newTally()
	s := newShadower(t, rec,
		middleware.WithMaxConcurrent(slots),
		middleware.WithTimeout(50*time.Millisecond),
		middleware.WithShadowHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := running.Add(1)
			defer running.Add(-1)
			for m := maxRunning.Load(); n > m && !maxRunning.CompareAndSwap(m, n); m = maxRunning.Load() {
			}
			<-release // a store that does not answer, and a client deaf to its context
		})))
	h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	req := httptest.NewRequest(http.MethodGet, "/orders/1", nil) // the middleware never changes it
	serve := func() {
		w := &countingWriter{header: http.Header{}}
		h.ServeHTTP(w, req)
		if w.code != http.StatusOK || w.n != len(body) {
			t.Errorf("user got %d with %d bytes, want 200 with %d", w.code, w.n, len(body))
		}
	}
	heapInUse := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapInuse
	}

	const warmUp = 200
	for range warmUp {
		serve()
	}
	base := heapInUse()
	var (
		next    atomic.Int64
		mu      sync.Mutex
		maxHeap uint64
		wg      sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for i := next.Add(1); i <= requests; i = next.Add(1) {
				serve()
				if i%5000 == 0 { // the heap now, with everything the middleware holds
					h := heapInUse()
					mu.Lock()
					maxHeap = max(maxHeap, h)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	maxHeap = max(maxHeap, heapInUse())
	close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	if maxHeap > base+heapRoom {
		t.Errorf("heap in use grew from %d to %d MiB over %d sampled requests, want at most %d MiB more",
			base>>20, maxHeap>>20, requests, heapRoom>>20)
	}
	outcomes, maxRecorded := rec.snapshot()
	if got := maxRunning.Load(); got > slots || maxRecorded > slots {
		t.Errorf("%d shadow handlers (%d shadows) ran at once, want at most MaxConcurrent = %d", got, maxRecorded, slots)
	}
	if outcomes["timeout/"] != slots || outcomes["dropped/"] != warmUp+requests-slots {
		t.Errorf("outcomes %v, want %d hung shadows timed out and the other %d dropped", outcomes, slots, warmUp+requests-slots)
	}
	t.Logf("heap in use %d KiB before, at most %d KiB during %d sampled requests; outcomes %v",
		base>>10, maxHeap>>10, requests, outcomes)
}
