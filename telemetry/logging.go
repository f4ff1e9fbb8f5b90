package telemetry

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/telemetry/internal/exemplar"
)

// mismatchLog says whether a mismatch is logged, and how many occurrences of
// its signature the line stands for.
type mismatchLog struct {
	due         bool
	occurrences uint64
}

// logDue decides whether the mismatch just counted in ex is logged: at most
// one line per signature and log interval, and at most as many lines per
// route and interval as signatures are kept, so a stream of ever new
// signatures cannot flood the log either. r.mu must be held.
func (r *route) logDue(ex *exemplar.Exemplar, now time.Time, cfg config) mismatchLog {
	ex.Unlogged++
	if !ex.LastLogged.IsZero() && now.Sub(ex.LastLogged) < cfg.logInterval {
		return mismatchLog{}
	}
	if now.Sub(r.logWindowStart) >= cfg.logInterval {
		r.logWindowStart, r.logsInWindow = now, 0
	}
	if r.logsInWindow >= cfg.maxSignatures {
		return mismatchLog{}
	}
	r.logsInWindow++
	ex.LastLogged = now
	n := ex.Unlogged
	ex.Unlogged = 0
	return mismatchLog{due: true, occurrences: n}
}

// logMismatch writes one line about a mismatch: route, signature, kinds and
// paths, the entity key (redacted unless shown, [WithEntityKeysShown]), the
// trace id when the trace was sampled, and the values only when they were
// opted in. occurrences counts the
// mismatches of the signature since its previous line.
func (o *OTel) logMismatch(ctx context.Context, route string, e Event, signature string, occurrences uint64, traceID trace.TraceID) {
	values := o.cfg.showsValues(e.Result)
	diffs := exemplar.DiffReports(e.Result.Diffs, values)
	paths := make([]string, len(diffs))
	for i, d := range diffs {
		paths[i] = d.Path
	}
	fieldList := exemplar.Fields(diffs)
	kinds := make([]string, len(e.Result.Diffs))
	for i, d := range e.Result.Diffs {
		kinds[i] = string(kindLabel(d.Kind))
	}
	slices.Sort(kinds)
	attrs := []slog.Attr{
		slog.String("route", route),
		slog.String("signature", signature),
		slog.Uint64("occurrences", occurrences),
		slog.String("primary", string(e.Primary)),
		slog.String("shadow", string(e.Shadow)),
		slog.Any("kinds", slices.Compact(kinds)),
		slog.Any("fields", fieldList),
		slog.Any("paths", paths),
		slog.Bool("truncated", e.Result.Truncated || len(e.Result.Diffs) > len(diffs)),
	}
	if key := o.entityKey(e.EntityKey); key != "" {
		attrs = append(attrs, slog.String("entity_key", key))
	}
	if traceID.IsValid() {
		attrs = append(attrs, slog.String("trace_id", traceID.String()))
	}
	if values {
		attrs = append(attrs, slog.Any("diffs", diffs))
	}
	o.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "shadowread: mismatch", attrs...)
}
