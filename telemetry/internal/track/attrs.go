package track

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Attrs is one pre-built attribute set, held as the option slices the
// metric instruments take. Passed on whole (Add(ctx, n, a.Add...)), they
// cost no allocation per measurement, where a single option goes into a
// new slice on every call. The slices are never modified.
type Attrs struct {
	Add    []metric.AddOption
	Record []metric.RecordOption
}

// newAttrs holds the attribute set of kvs as Attrs.
func newAttrs(kvs ...attribute.KeyValue) *Attrs {
	m := metric.WithAttributeSet(attribute.NewSet(kvs...))
	return &Attrs{Add: []metric.AddOption{m}, Record: []metric.RecordOption{m}}
}
