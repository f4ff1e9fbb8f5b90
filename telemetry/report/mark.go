package report

import (
	"encoding/json"
	"net/http"
	"time"
)

// MarkResponse is what [MarkHandler] answers.
type MarkResponse struct {
	// Mark is the time of the mark in effect.
	Mark time.Time `json:"mark"`
	// New reports whether this request set it; false when a mark less than
	// ten seconds old was kept.
	New bool `json:"new"`
}

// MarkHandler returns a handler that calls mark on POST and answers with a
// [MarkResponse] in JSON: mark returns the mark in effect and whether the
// call set it. Other methods get 405.
func MarkHandler(mark func() (time.Time, bool)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed: POST sets the mark", http.StatusMethodNotAllowed)
			return
		}
		var res MarkResponse
		res.Mark, res.New = mark()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(res)
	})
}
