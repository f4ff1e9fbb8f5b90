package track

import (
	"time"

	"github.com/shadowread/shadowread/telemetry/internal/exemplar"
)

// logDue decides whether the mismatch just counted in ex is logged: at most
// one line per signature and log interval, and at most as many lines per
// route and interval as signatures are kept, so a stream of ever new
// signatures cannot flood the log either. r.mu must be held.
func (r *Route) logDue(ex *exemplar.Exemplar, now time.Time, cfg Config) LogDecision {
	ex.Unlogged++
	if !ex.LastLogged.IsZero() && now.Sub(ex.LastLogged) < cfg.LogInterval {
		return LogDecision{}
	}
	if now.Sub(r.logWindowStart) >= cfg.LogInterval {
		r.logWindowStart, r.logsInWindow = now, 0
	}
	if r.logsInWindow >= cfg.MaxSignatures {
		return LogDecision{}
	}
	r.logsInWindow++
	ex.LastLogged = now
	n := ex.Unlogged
	ex.Unlogged = 0
	return LogDecision{Due: true, Occurrences: n}
}
