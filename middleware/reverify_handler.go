package middleware

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

// ReverifyInterval is the least time between two re-verifications started
// through [Shadower.ReverifyHandler].
const ReverifyInterval = time.Second

// ReverifyHandler returns an http.Handler that re-verifies a mismatch
// signature on demand, for an internal address beside the report page:
//
//	mux.Handle("/debug/shadowread/reverify", shadow.ReverifyHandler())
//
// It accepts only POST (a re-verification reads both stores), with the
// form values route and signature, and answers the [ReverifyReport] as
// JSON with outcomes, signatures and diff paths, never values or the kept
// requests. GET /debug/shadowread/reverify answers 405; one running
// re-verification, or one started less than [ReverifyInterval] ago, makes
// the next request wait its turn with 429 and Retry-After. Without the
// form values it lists the open signatures instead.
func (s *Shadower) ReverifyHandler() http.Handler {
	return &reverifyHandler{s: s}
}

type reverifyHandler struct {
	s       *Shadower
	mu      sync.Mutex
	running bool
	last    time.Time
}

// reverifyJSON is what the handler sends: no diff values.
type reverifyJSON struct {
	ReverifyReport
	Results []resultJSON `json:"results"`
}

type resultJSON struct {
	Outcome   telemetry.Outcome `json:"outcome"`
	Signature string            `json:"signature,omitempty"`
	Diffs     []diffJSON        `json:"diffs,omitempty"`
	Error     string            `json:"error,omitempty"`
}

type diffJSON struct {
	Path  string          `json:"path"`
	Field string          `json:"field,omitempty"`
	Kind  comparator.Kind `json:"kind"`
}

func (h *reverifyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "re-verification reads both stores: use POST", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	route, signature := r.FormValue("route"), r.FormValue("signature")
	if route == "" && signature == "" {
		writeJSON(w, http.StatusOK, h.s.OpenSignatures())
		return
	}
	if route == "" || signature == "" {
		http.Error(w, "give both route and signature, as listed by a POST without them", http.StatusBadRequest)
		return
	}
	if wait, ok := h.start(); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		http.Error(w, "a re-verification ran just now; try again shortly", http.StatusTooManyRequests)
		return
	}
	defer h.done()
	report, err := h.s.Reverify(r.Context(), route, signature)
	switch {
	case errors.Is(err, ErrNotRecorded):
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	case errors.Is(err, ErrClosed):
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	case err != nil:
		http.Error(w, "re-verification stopped: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	out := reverifyJSON{ReverifyReport: report, Results: make([]resultJSON, 0, len(report.Results))}
	for _, res := range report.Results {
		rj := resultJSON{Outcome: res.Outcome, Signature: res.Signature}
		for _, d := range res.Diffs {
			rj.Diffs = append(rj.Diffs, diffJSON{Path: d.Path, Field: d.Field, Kind: d.Kind})
		}
		if res.Err != nil {
			rj.Error = res.Err.Error()
		}
		out.Results = append(out.Results, rj)
	}
	writeJSON(w, http.StatusOK, out)
}

// start takes the turn to re-verify, or says how long to wait for it.
func (h *reverifyHandler) start() (time.Duration, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.running {
		return ReverifyInterval, false
	}
	if wait := ReverifyInterval - time.Since(h.last); !h.last.IsZero() && wait > 0 {
		return wait, false
	}
	h.running, h.last = true, time.Now()
	return 0, true
}

func (h *reverifyHandler) done() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.running = false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
