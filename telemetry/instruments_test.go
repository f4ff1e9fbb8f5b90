package telemetry_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

// failingMeter refuses to create any instrument, returning no instrument at all.
type failingMeter struct{ noop.Meter }

var errRefused = errors.New("instrument refused")

func (failingMeter) Int64Counter(string, ...metric.Int64CounterOption) (metric.Int64Counter, error) {
	return nil, errRefused
}

func (failingMeter) Int64UpDownCounter(string, ...metric.Int64UpDownCounterOption) (metric.Int64UpDownCounter, error) {
	return nil, errRefused
}

func (failingMeter) Float64Histogram(string, ...metric.Float64HistogramOption) (metric.Float64Histogram, error) {
	return nil, errRefused
}

type failingMeterProvider struct{ noop.MeterProvider }

func (failingMeterProvider) Meter(string, ...metric.MeterOption) metric.Meter { return failingMeter{} }

// errorCollector is an otel.ErrorHandler that keeps what it is handed.
type errorCollector struct {
	mu   sync.Mutex
	errs []error
}

func (c *errorCollector) Handle(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, err)
}

func (c *errorCollector) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.errs)
}

// TestInstrumentErrorsNeverFail: a meter that creates no instrument must not
// fail New or Record; each refusal goes to otel.Handle.
func TestInstrumentErrorsNeverFail(t *testing.T) {
	errs := &errorCollector{}
	previous := otel.GetErrorHandler()
	otel.SetErrorHandler(errs)
	t.Cleanup(func() { otel.SetErrorHandler(previous) })

	rec := telemetry.New(nil, failingMeterProvider{}, telemetry.WithLogger(slog.New(slog.DiscardHandler)))
	if got := errs.count(); got != 8 {
		t.Errorf("otel.Handle got %d errors, want one per instrument (8)", got)
	}
	e := mismatch("/products/{id}", comparator.Diff{Path: "price", Kind: comparator.ValueChanged})
	rec.Record(rec.StartShadow(context.Background(), e), e)
	if got := rec.Readiness(); len(got) != 1 || got[0].Mismatches != 1 {
		t.Errorf("readiness = %+v, want the mismatch counted without metrics", got)
	}
}
