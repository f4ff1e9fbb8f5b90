package telemetry

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
)

// durationBounds are the histogram bucket boundaries, in seconds, for the
// handler times of the two backends: database reads from half a millisecond
// to ten seconds.
var durationBounds = []float64{
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
}

// compareBounds are the bucket boundaries, in seconds, for the comparator's
// time: from 10 µs for a small document to 100 ms for a large one.
var compareBounds = []float64{
	0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
}

// instruments are the metric instruments of one recorder.
type instruments struct {
	comparisons     metric.Int64Counter
	mismatches      metric.Int64Counter
	mismatchFields  metric.Int64Counter
	duration        metric.Float64Histogram
	compareDuration metric.Float64Histogram
	inflight        metric.Int64UpDownCounter
	rechecks        metric.Int64Counter
	noise           metric.Int64Counter
}

// newInstruments creates the instruments. Errors go to otel.Handle and a
// missing instrument is replaced by a no-op one: telemetry never fails its
// constructor.
func newInstruments(m metric.Meter) instruments {
	return instruments{
		comparisons: counter(m, "shadowread.comparisons",
			metric.WithUnit("{comparison}"),
			metric.WithDescription("Sampled requests by outcome: compared, or dropped or skipped with a reason.")),
		mismatches: counter(m, "shadowread.mismatches",
			metric.WithUnit("{mismatch}"),
			metric.WithDescription("Mismatches by the kind of difference; a mismatch counts once for each kind it shows.")),
		mismatchFields: counter(m, "shadowread.mismatch_fields",
			metric.WithUnit("{mismatch}"),
			metric.WithDescription("Mismatches by the index-free field that differs; a mismatch counts once for each field. The first 20 fields of a route and direction have their own series, later ones count as other.")),
		duration: histogram(m, "shadowread.duration",
			metric.WithUnit("s"),
			metric.WithDescription("Handler time of the primary and the shadow execution of sampled requests."),
			metric.WithExplicitBucketBoundaries(durationBounds...)),
		compareDuration: histogram(m, "shadowread.compare.duration",
			metric.WithUnit("s"),
			metric.WithDescription("Time the comparator took to compare the two responses."),
			metric.WithExplicitBucketBoundaries(compareBounds...)),
		inflight: upDownCounter(m, "shadowread.inflight",
			metric.WithUnit("{shadow}"),
			metric.WithDescription("Shadow executions running now.")),
		rechecks: counter(m, "shadowread.rechecks",
			metric.WithUnit("{recheck}"),
			metric.WithDescription("Delayed re-checks of mismatching pairs by result: transient, confirmed, repaired, absorbed, dropped or failed.")),
		noise: counter(m, "shadowread.noise",
			metric.WithUnit("{field}"),
			metric.WithDescription("Fields seen differing between two reads of the primary (source baseline) and fields whose differences were absorbed as noise in comparisons with the shadow (source absorbed).")),
	}
}

func counter(m metric.Meter, name string, opts ...metric.Int64CounterOption) metric.Int64Counter {
	c, err := m.Int64Counter(name, opts...)
	if err != nil {
		otel.Handle(err)
	}
	if c == nil {
		return noop.Int64Counter{}
	}
	return c
}

func histogram(m metric.Meter, name string, opts ...metric.Float64HistogramOption) metric.Float64Histogram {
	h, err := m.Float64Histogram(name, opts...)
	if err != nil {
		otel.Handle(err)
	}
	if h == nil {
		return noop.Float64Histogram{}
	}
	return h
}

func upDownCounter(m metric.Meter, name string, opts ...metric.Int64UpDownCounterOption) metric.Int64UpDownCounter {
	c, err := m.Int64UpDownCounter(name, opts...)
	if err != nil {
		otel.Handle(err)
	}
	if c == nil {
		return noop.Int64UpDownCounter{}
	}
	return c
}

// MaxMismatchFields is how many diff fields of a route and direction get a
// shadowread.mismatch_fields series of their own: the first ones seen, which
// on a route with a data problem are the fields that break most. Later
// fields are counted under "other".
const MaxMismatchFields = 20
