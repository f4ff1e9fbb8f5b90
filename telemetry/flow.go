package telemetry

import (
	"maps"
	"slices"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
)

// direction is which backend serves and which shadows: postgres→dynamodb
// before a route's switch, dynamodb→postgres after it.
type direction struct {
	primary, shadow backends.Name
}

// directionOf returns the direction of e, with names outside the known
// backends as "other" so they cannot add metric series.
func directionOf(e Event) direction {
	return direction{primary: backendLabel(e.Primary), shadow: backendLabel(e.Shadow)}
}

// flow is what the recorder keeps for one route in one direction: counts,
// readiness figures, latencies and signatures are never mixed across a
// switch of the primary. The route's mutex guards it.
type flow struct {
	dir   direction
	route string
	sets  map[attrKey]metric.MeasurementOption
	// fields are the diff fields with a shadowread.mismatch_fields series of
	// their own, at most MaxMismatchFields; later ones count as "other".
	fields map[string]bool
	// outcomes counts events by outcome label, rechecks by result.
	outcomes                      map[Outcome]uint64
	rechecks                      map[RecheckResult]uint64
	primaryLatency, shadowLatency latencyHistogram
	exemplars                     exemplars
	// The readiness counts: since the start, over the window, since the mark.
	total     verdictCounts
	window    windowCounts
	sinceMark verdictCounts
}

func newFlow(route string, d direction, maxSignatures int, window time.Duration) *flow {
	return &flow{
		dir:       d,
		route:     route,
		sets:      make(map[attrKey]metric.MeasurementOption),
		fields:    make(map[string]bool),
		outcomes:  make(map[Outcome]uint64),
		rechecks:  make(map[RecheckResult]uint64),
		exemplars: newExemplars(maxSignatures),
		window:    newWindowCounts(window),
	}
}

// attrKey names one attribute set of a flow besides route and direction;
// empty fields are left out.
type attrKey struct {
	outcome Outcome
	reason  string
	role    backends.Role
	kind    comparator.Kind
	recheck RecheckResult
	field   string
}

// measurement returns the pre-built attribute set for k. The route's mutex
// must be held. Building each set once keeps Record free of attribute
// sorting and allocation after a flow's first events.
func (f *flow) measurement(k attrKey) metric.MeasurementOption {
	if m, ok := f.sets[k]; ok {
		return m
	}
	kvs := []attribute.KeyValue{
		attribute.String("route", f.route),
		attribute.String("primary", string(f.dir.primary)),
		attribute.String("shadow", string(f.dir.shadow)),
	}
	if k.outcome != "" {
		kvs = append(kvs, attribute.String("outcome", string(k.outcome)))
	}
	if k.reason != "" {
		kvs = append(kvs, attribute.String("reason", k.reason))
	}
	switch k.role {
	case backends.RolePrimary:
		kvs = append(kvs, attribute.String("role", string(k.role)), attribute.String("backend", string(f.dir.primary)))
	case backends.RoleShadow:
		kvs = append(kvs, attribute.String("role", string(k.role)), attribute.String("backend", string(f.dir.shadow)))
	}
	if k.kind != "" {
		kvs = append(kvs, attribute.String("kind", string(k.kind)))
	}
	if k.recheck != "" {
		kvs = append(kvs, attribute.String("result", string(k.recheck)))
	}
	if k.field != "" {
		kvs = append(kvs, attribute.String("field", k.field))
	}
	m := metric.WithAttributeSet(attribute.NewSet(kvs...))
	f.sets[k] = m
	return m
}

// measurements are the attribute sets one event is recorded with.
type measurements struct {
	base, comparison, primary, shadow, recheck metric.MeasurementOption
	kinds                                      [kindLabels]metric.MeasurementOption // one per distinct kind label
	nkinds                                     int
	fields                                     []metric.MeasurementOption // one per distinct field label
}

// observe updates f's statistics with e and returns the attribute sets to
// record e with. The route's mutex must be held.
func (f *flow) observe(e Event, outcome Outcome, now time.Time) measurements {
	f.outcomes[outcome]++
	reason := reasonLabel(e.Reason)
	v := verdictOf(outcome, Reason(reason))
	f.total.add(v)
	f.window.add(now, v)
	f.sinceMark.add(v)
	if e.PrimaryDuration > 0 {
		f.primaryLatency.observe(e.PrimaryDuration)
	}
	if e.ShadowDuration > 0 {
		f.shadowLatency.observe(e.ShadowDuration)
	}
	m := measurements{
		base:       f.measurement(attrKey{}),
		comparison: f.measurement(attrKey{outcome: outcome, reason: reason}),
		primary:    f.measurement(attrKey{role: backends.RolePrimary}),
		shadow:     f.measurement(attrKey{role: backends.RoleShadow}),
	}
	if e.Recheck != RecheckNone {
		result := recheckLabel(e.Recheck)
		f.rechecks[result]++
		m.recheck = f.measurement(attrKey{recheck: result})
	}
	if outcome == Mismatch {
		var seen [len(m.kinds)]bool
		for _, d := range e.Result.Diffs {
			if i := kindIndex(d.Kind); !seen[i] {
				seen[i] = true
				m.kinds[m.nkinds] = f.measurement(attrKey{kind: kindLabel(d.Kind)})
				m.nkinds++
			}
		}
		m.fields = f.fieldMeasurements(e.Result.Diffs)
	}
	return m
}

// MaxMismatchFields is how many diff fields of a route and direction get a
// shadowread.mismatch_fields series of their own: the first ones seen, which
// on a route with a data problem are the fields that break most. Later
// fields are counted under "other".
const MaxMismatchFields = 20

// fieldMeasurements returns one attribute set per distinct field label of
// diffs: the index-free field, or "other" once MaxMismatchFields fields have
// their own. The route's mutex must be held.
func (f *flow) fieldMeasurements(diffs []comparator.Diff) []metric.MeasurementOption {
	var labels []string
	for _, d := range diffs {
		label := clip(d.FieldName())
		if !f.fields[label] {
			if len(f.fields) >= MaxMismatchFields {
				label = backends.OverflowRoute
			} else {
				f.fields[label] = true
			}
		}
		if !slices.Contains(labels, label) {
			labels = append(labels, label)
		}
	}
	m := make([]metric.MeasurementOption, len(labels))
	for i, l := range labels {
		m[i] = f.measurement(attrKey{field: l})
	}
	return m
}

// flowSnapshot is a copy of a flow's state.
type flowSnapshot struct {
	route                         string
	dir                           direction
	events                        uint64
	outcomes                      map[Outcome]uint64
	rechecks                      map[RecheckResult]uint64
	primaryLatency, shadowLatency LatencySummary
	total, window, sinceMark      verdictCounts
	signatures                    []SignatureReport
	evictedSignatures             uint64
	evictedMismatches             uint64
}

// snapshot copies f's state. The route's mutex must be held; the statistics
// are computed from the copy after it is released.
func (f *flow) snapshot(now time.Time) flowSnapshot {
	s := flowSnapshot{
		route:             f.route,
		dir:               f.dir,
		outcomes:          maps.Clone(f.outcomes),
		rechecks:          maps.Clone(f.rechecks),
		primaryLatency:    f.primaryLatency.summary(),
		shadowLatency:     f.shadowLatency.summary(),
		total:             f.total.clone(),
		window:            f.window.sum(now),
		sinceMark:         f.sinceMark.clone(),
		signatures:        f.exemplars.report(),
		evictedSignatures: f.exemplars.evictedSignatures,
		evictedMismatches: f.exemplars.evictedMismatches,
	}
	for _, n := range f.outcomes {
		s.events += n
	}
	return s
}
