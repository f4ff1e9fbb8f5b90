package main

import (
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
)

// experiment is the synchronous baseline the shadow middleware is measured
// against: an experiment as GitHub's Scientist and its Go ports run one,
// written as a team would write it by hand. Each request runs the control
// (PostgreSQL) and the candidate (DynamoDB) one after the other, in random
// order as Scientist does, compares the two, publishes the result, and
// only then answers with the control's response. The user waits for both
// reads and the comparison.
type experiment struct {
	cmp comparator.Comparator

	mu     sync.Mutex
	counts map[string]uint64 // published results by outcome
}

func newExperiment(cmp comparator.Comparator) *experiment {
	return &experiment{cmp: cmp, counts: make(map[string]uint64)}
}

// Handler wraps a read handler.
func (e *experiment) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		control, candidate := httptest.NewRecorder(), httptest.NewRecorder()
		runControl := func() { next.ServeHTTP(control, r.WithContext(backends.WithTarget(ctx, backends.Postgres))) }
		runCandidate := func() {
			defer func() {
				// Scientist rescues the candidate's exceptions; the control's
				// propagate.
				if p := recover(); p != nil {
					candidate.Code = http.StatusInternalServerError
				}
			}()
			next.ServeHTTP(candidate, r.WithContext(backends.WithShadowTarget(ctx, backends.DynamoDB)))
		}
		if rand.IntN(2) == 0 {
			runControl()
			runCandidate()
		} else {
			runCandidate()
			runControl()
		}
		e.publish(e.compare(control, candidate))

		maps.Copy(w.Header(), control.Header())
		w.WriteHeader(control.Code)
		w.Write(control.Body.Bytes())
	})
}

func (e *experiment) compare(control, candidate *httptest.ResponseRecorder) (outcome string) {
	defer func() {
		if p := recover(); p != nil {
			outcome = "compare_error"
		}
	}()
	if candidate.Code >= 500 {
		return "candidate_error"
	}
	res := e.cmp.Compare(response(control), response(candidate))
	switch {
	case res.Err != nil:
		return "compare_error"
	case res.Equal:
		return "match"
	}
	return "mismatch"
}

func response(rec *httptest.ResponseRecorder) comparator.Response {
	return comparator.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

func (e *experiment) publish(outcome string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.counts[outcome]++
}

// outcomes returns the published results by outcome.
func (e *experiment) outcomes() map[string]uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return maps.Clone(e.counts)
}
