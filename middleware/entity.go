package middleware

import (
	"net/http"

	"github.com/shadowread/shadowread/internal/safe"
)

// WithEntityKey names the entity each sampled request reads, such as a
// product id, so that a mismatch says which entity differed. key runs on
// the request's goroutine before the handler, for sampled requests only;
// its result goes into [telemetry.Event.EntityKey], which the recorder puts
// on the shadow span and the mismatch log line (redacted like a value
// unless the recorder is told otherwise) and never into metric attributes.
// A key function that panics gives an empty key; the request goes on.
// Nil means no key.
//
//	middleware.WithEntityKey(func(r *http.Request) string { return chi.URLParam(r, "id") })
func WithEntityKey(key func(*http.Request) string) Option {
	return optionFunc(func(c *config) { c.entityKey = key })
}

// entityKey returns the user's key for r, or "" without a key function.
func (s *Shadower) entityKey(r *http.Request) string {
	if s.cfg.entityKey == nil {
		return ""
	}
	defer safe.Report("shadowread: entity key function") // a panic returns ""
	return s.cfg.entityKey(r)
}
