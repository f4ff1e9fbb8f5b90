package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.28.0"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of this package's spans.
const ScopeName = "github.com/shadowread/shadowread/backends/postgres"

// systemName names spans whose statement has no known operation.
const systemName = "postgresql"

// tracer makes one client span per query, batch and connect through pgx's
// tracer hooks. Span names and attributes follow the OpenTelemetry database
// conventions (semconv 1.28): db.system, db.operation.name, db.namespace,
// server.address and server.port.
type tracer struct {
	tracer    trace.Tracer
	queryText bool
	// base holds the attributes of every span, computed once: pgx's
	// Conn.Config copies the whole configuration on each call.
	base []attribute.KeyValue
}

var (
	_ pgx.QueryTracer   = (*tracer)(nil)
	_ pgx.BatchTracer   = (*tracer)(nil)
	_ pgx.ConnectTracer = (*tracer)(nil)
)

func newTracer(tp trace.TracerProvider, queryText bool, cfg *pgconn.Config) *tracer {
	return &tracer{
		tracer:    tp.Tracer(ScopeName, trace.WithSchemaURL(semconv.SchemaURL)),
		queryText: queryText,
		base: []attribute.KeyValue{
			semconv.DBSystemPostgreSQL,
			semconv.DBNamespace(cfg.Database),
			semconv.ServerAddress(cfg.Host),
			semconv.ServerPort(int(cfg.Port)),
		},
	}
}

// start starts a client span named after op (or the system when op is "")
// with the attributes every span of this package has.
func (t *tracer) start(ctx context.Context, op string, extra ...attribute.KeyValue) context.Context {
	attrs := make([]attribute.KeyValue, 0, len(t.base)+1+len(extra))
	attrs = append(attrs, t.base...)
	name := systemName
	if op != "" {
		name = op
		attrs = append(attrs, semconv.DBOperationName(op))
	}
	attrs = append(attrs, extra...)
	ctx, _ = t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return ctx
}

// end records err, if any, and ends the span of ctx.
func end(ctx context.Context, err error) {
	span := trace.SpanFromContext(ctx)
	recordError(span, err)
	span.End()
}

func recordError(span trace.Span, err error) {
	if err == nil {
		return
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		span.SetAttributes(semconv.DBResponseStatusCode(pgErr.Code))
	}
	span.RecordError(err)
	span.SetStatus(codes.Error, err.Error())
}

func (t *tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	var extra []attribute.KeyValue
	if t.queryText {
		extra = append(extra, semconv.DBQueryText(data.SQL))
	}
	return t.start(ctx, operationName(data.SQL), extra...)
}

func (t *tracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	end(ctx, data.Err)
}

// TraceBatchStart starts one span for a whole batch, named "BATCH" as the
// conventions name batches of mixed statements.
func (t *tracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	return t.start(ctx, "BATCH", semconv.DBOperationBatchSize(data.Batch.Len()))
}

// TraceBatchQuery records the error of a statement in the batch.
func (t *tracer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	recordError(trace.SpanFromContext(ctx), data.Err)
}

func (t *tracer) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchEndData) {
	end(ctx, data.Err)
}

// TraceConnectStart starts a span for opening a connection, which a request
// waits for when the pool has no idle one.
func (t *tracer) TraceConnectStart(ctx context.Context, _ pgx.TraceConnectStartData) context.Context {
	return t.start(ctx, "connect")
}

func (t *tracer) TraceConnectEnd(ctx context.Context, data pgx.TraceConnectEndData) {
	end(ctx, data.Err)
}
