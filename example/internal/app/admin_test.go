package app_test

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shadowread/shadowread/example/internal/app"
)

// TestListeners checks that the metrics and the report page are served on
// the admin listener only, and the catalog on the public one only.
func TestListeners(t *testing.T) {
	_, public, admin := service(t)
	tests := []struct {
		name   string
		reason string
		srv    string
		path   string
		want   int
	}{
		{"public metrics", "operational data stays off the public listener", public.URL, app.PathMetrics, http.StatusNotFound},
		{"public report", "the report page shows response values and trace ids", public.URL, app.PathReport, http.StatusNotFound},
		{"public catalog", "the public listener serves the catalog", public.URL, "/products/6", http.StatusOK},
		{"public health", "load balancers probe the public listener", public.URL, app.PathHealth, http.StatusOK},
		{"admin metrics", "Prometheus scrapes the admin listener", admin.URL, app.PathMetrics, http.StatusOK},
		{"admin report", "operators read the report on the admin listener", admin.URL, app.PathReport, http.StatusOK},
		{"admin health", "the admin listener can be probed too", admin.URL, app.PathHealth, http.StatusOK},
		{"admin catalog", "the catalog is not served on the admin listener", admin.URL, "/products/6", http.StatusNotFound},
		{"admin mark by GET", "a readiness mark changes state: POST only", admin.URL, app.PathMark, http.StatusMethodNotAllowed},
		{"admin reverify by GET", "a re-verification reads both stores: POST only", admin.URL, app.PathReverify, http.StatusMethodNotAllowed},
		{"public mark", "actions stay off the public listener", public.URL, app.PathMark, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, _ := get(t, tt.srv+tt.path); status != tt.want {
				t.Errorf("GET %s: %d, want %d (%s)", tt.path, status, tt.want, tt.reason)
			}
		})
	}
}

// TestHandleAction checks the bounds of an admin action: POST only, a
// limited body, a limited rate.
func TestHandleAction(t *testing.T) {
	a, _, admin := service(t)
	var calls atomic.Int64
	const path = "/debug/test-action"
	a.HandleAction(path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		calls.Add(1)
	}))
	do := func(method, body string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, admin.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	tests := []struct {
		name   string
		reason string
		method string
		body   string
		want   int
	}{
		{"GET", "a GET from a browser or a crawler must not change state", http.MethodGet, "", http.StatusMethodNotAllowed},
		{"PUT", "only POST is an action", http.MethodPut, "", http.StatusMethodNotAllowed},
		{"large body", "bodies are bounded", http.MethodPost, strings.Repeat("x", app.ActionMaxBody+1), http.StatusRequestEntityTooLarge},
		{"POST", "POST runs the action", http.MethodPost, `{"note":"fix deployed"}`, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(tt.method, tt.body)
			if resp.StatusCode != tt.want {
				t.Errorf("%s %s: %d, want %d (%s)", tt.method, path, resp.StatusCode, tt.want, tt.reason)
			}
			if resp.StatusCode == http.StatusMethodNotAllowed && resp.Header.Get("Allow") != http.MethodPost {
				t.Errorf("Allow: %q, want POST", resp.Header.Get("Allow"))
			}
		})
	}

	// The burst: the POST above took one call, the refused requests none.
	t.Run("rate", func(t *testing.T) {
		for i := 1; i < app.ActionBurst; i++ {
			if resp := do(http.MethodPost, ""); resp.StatusCode != http.StatusOK {
				t.Fatalf("call %d of a burst of %d: %d", i+1, app.ActionBurst, resp.StatusCode)
			}
		}
		resp := do(http.MethodPost, "")
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Errorf("call %d: %d, Retry-After %q; want 429 with Retry-After", app.ActionBurst+1, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		if got := calls.Load(); got != app.ActionBurst {
			t.Errorf("the action ran %d times, want %d", got, app.ActionBurst)
		}
	})
}

// TestActionsMounted: the readiness mark and the re-verification answer
// POSTs on the admin listener.
func TestActionsMounted(t *testing.T) {
	_, _, admin := service(t)
	tests := []struct {
		name, path, reason string
	}{
		{"mark", app.PathMark, "an operator marks a deployed fix"},
		{"reverify", app.PathReverify, "without a signature it lists the open ones"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(admin.URL+tt.path, "application/x-www-form-urlencoded", strings.NewReader(""))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Errorf("POST %s: %d %s %q, want 200 with JSON (%s)", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"), body, tt.reason)
			}
		})
	}
}
