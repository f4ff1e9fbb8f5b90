package main

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
)

// backendHandler answers with the backend it was routed to and notes which
// executions were shadows. Its answers for the two backends are set per test.
type backendHandler struct {
	mu      sync.Mutex
	answers map[backends.Name]string // body per backend; "panic" panics
	shadows []bool
}

func (h *backendHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.shadows = append(h.shadows, backends.IsShadow(r.Context()))
	h.mu.Unlock()
	body := h.answers[backends.Target(r.Context())]
	if body == "panic" {
		panic("store bug")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Backend", string(backends.Target(r.Context())))
	w.Write([]byte(body))
}

func TestExperiment(t *testing.T) {
	tests := []struct {
		name        string
		reason      string
		postgres    string
		dynamodb    string
		wantOutcome string
	}{
		{name: "same data", reason: "prices equal by value match", postgres: `{"price":12.50}`, dynamodb: `{"price":12.5}`, wantOutcome: "match"},
		{name: "drifted", reason: "a changed value is published as a mismatch", postgres: `{"price":12.50}`, dynamodb: `{"price":13}`, wantOutcome: "mismatch"},
		{name: "candidate panics", reason: "Scientist rescues the candidate; the user still gets the control", postgres: `{"price":1}`, dynamodb: "panic", wantOutcome: "candidate_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &backendHandler{answers: map[backends.Name]string{backends.Postgres: tt.postgres, backends.DynamoDB: tt.dynamodb}}
			e := newExperiment(comparator.JSON(comparator.PostgresDynamoDB()))
			srv := e.Handler(h)
			const requests = 20 // both orders of control and candidate come up
			for range requests {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/products/1", nil))
				if rec.Code != http.StatusOK || rec.Body.String() != tt.postgres || rec.Header().Get("X-Backend") != "postgres" {
					t.Fatalf("user got %d %q from %q, want the control's 200 %q from postgres (%s)",
						rec.Code, rec.Body.String(), rec.Header().Get("X-Backend"), tt.postgres, tt.reason)
				}
			}
			if got := e.outcomes(); got[tt.wantOutcome] != requests || len(got) != 1 {
				t.Errorf("outcomes %v, want %d %s (%s)", got, requests, tt.wantOutcome, tt.reason)
			}
			shadows := 0
			for _, s := range h.shadows {
				if s {
					shadows++
				}
			}
			if len(h.shadows) != 2*requests || shadows != requests {
				t.Errorf("%d executions, %d of them shadows; want %d and %d: the candidate runs as a shadow",
					len(h.shadows), shadows, 2*requests, requests)
			}
		})
	}
}

func TestExperimentControlPanicReachesTheUser(t *testing.T) {
	h := &backendHandler{answers: map[backends.Name]string{backends.Postgres: "panic", backends.DynamoDB: `{}`}}
	srv := newExperiment(comparator.JSON()).Handler(h)
	defer func() {
		if recover() == nil {
			t.Error("the control's panic was swallowed; it must reach the server's recoverer as without the experiment")
		}
	}()
	srv.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/1", nil))
}
