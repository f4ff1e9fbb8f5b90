package telemetry

import (
	"context"
	"log/slog"
	"slices"

	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/telemetry/internal/exemplar"
	"github.com/shadowread/shadowread/telemetry/internal/label"
	"github.com/shadowread/shadowread/telemetry/internal/track"
)

// logMismatch writes one line about a mismatch: route, signature, kinds and
// paths, the entity key (redacted unless shown, [WithEntityKeysShown]), the
// trace id when the trace was sampled, and the values only when they were
// opted in. occurrences counts the
// mismatches of the signature since its previous line.
func (c config) logMismatch(ctx context.Context, route string, e Event, signature string, occurrences uint64, traceID trace.TraceID) {
	values := c.showsValues(e.Result)
	diffs := exemplar.DiffReports(e.Result.Diffs, values)
	paths := make([]string, len(diffs))
	for i, d := range diffs {
		paths[i] = d.Path
	}
	fieldList := exemplar.Fields(diffs)
	kinds := make([]string, len(e.Result.Diffs))
	for i, d := range e.Result.Diffs {
		kinds[i] = string(track.Kind(d.Kind))
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
	if key := label.EntityKey(e.EntityKey, c.entityKeys); key != "" {
		attrs = append(attrs, slog.String("entity_key", key))
	}
	if traceID.IsValid() {
		attrs = append(attrs, slog.String("trace_id", traceID.String()))
	}
	if values {
		attrs = append(attrs, slog.Any("diffs", diffs))
	}
	c.logger.LogAttrs(ctx, slog.LevelWarn, "shadowread: mismatch", attrs...)
}
