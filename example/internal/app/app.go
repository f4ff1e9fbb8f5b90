package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/go-chi/chi/v5"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/dualwrite"
	"github.com/shadowread/shadowread/example/internal/repair"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// Paths of the service's operational endpoints.
const (
	PathMetrics = "/metrics"
	PathReport  = "/debug/shadowread"
	PathHealth  = "/healthz"
	// PathMark and PathReverify are admin actions (POST only): a readiness
	// mark after a fix, and a re-run of the requests behind a mismatch
	// signature against both stores.
	PathMark     = "/debug/shadowread/mark"
	PathReverify = "/debug/shadowread/reverify"
)

// EnvTraceURL names the environment variable that gives [Config.TraceURL]
// its default, so that a deployment (or make observe) links the report page
// to its tracing backend without a flag.
const EnvTraceURL = "SHADOWREAD_TRACE_URL"

// Config says where the stores and the flag file are and how to report.
type Config struct {
	// PostgresURL is the source of truth (a postgres:// URL).
	PostgresURL string
	// DynamoDBEndpoint is a local DynamoDB-API server such as dynalite;
	// empty means AWS, configured from the environment as the AWS SDK does.
	DynamoDBEndpoint string
	// Table is the DynamoDB table (default "catalog").
	Table string
	// FlagFile is the flagd flag file.
	FlagFile string
	// Logger receives the service's logs, including mismatch lines
	// (default slog.Default()).
	Logger *slog.Logger
	// TraceOutput receives spans as JSON when no OTLP endpoint is set;
	// nil exports no spans then.
	TraceOutput io.Writer
	// TraceRatio is the share of traces kept when OTEL_TRACES_SAMPLER is
	// not set (default 1: all).
	TraceRatio float64
	// TraceURL turns the trace ids on the report page into links: a URL
	// with the placeholder {trace_id}, such as Jaeger's
	// "http://localhost:16686/trace/{trace_id}". Empty means the
	// environment's EnvTraceURL, and no links without it.
	TraceURL string
	// WrapRecorder, if set, wraps the shadow recorder, to observe each
	// comparison as the demo does.
	WrapRecorder func(telemetry.Recorder) telemetry.Recorder
	// WrapHandler, if set, wraps the catalog's routes inside the tracing.
	WrapHandler func(http.Handler) http.Handler
	// DynamoDBHTTPClient, if set, sends the DynamoDB calls, so that the
	// demo can put a fault between the service and the store; the caller
	// owns it and closes it.
	DynamoDBHTTPClient aws.HTTPClient
	// NoiseBaseline is the percentage of shadows whose primary is read a
	// second time, so that fields that differ between two reads of the same
	// store (the order list's request_id) are learned as noise instead of
	// being mismatches (middleware.WithNoiseBaseline). 0 means
	// DefaultNoiseBaseline; a negative value turns the baseline off.
	NoiseBaseline float64
}

// RecheckAfter is how long after a mismatch the service reads both stores
// again (middleware.WithRecheck). The dual write's DynamoDB half runs up to
// dualwrite.DefaultWriteTimeout after PostgreSQL's; on a busy machine with
// dynalite it took over 250 ms (the library's default) often enough that a
// read racing a price write was confirmed as a mismatch. A second covers
// that tail and still ends a re-check well before the repair worker's
// first replay of a failed write.
const RecheckAfter = time.Second

// DefaultNoiseBaseline is the share of shadows, in percent, that also
// compare the primary with itself: a few percent learns a route's noise
// within its first hundred samples and costs one primary read in twenty.
const DefaultNoiseBaseline = 5

// App is the running service. Its fields are for commands and the demo
// that drive it; Handler is what to serve.
type App struct {
	Postgres *catalog.PostgresStore
	DynamoDB *catalog.DynamoDBStore
	Writer   *dualwrite.Writer
	// RepairLogs are the writes that one store may still lack.
	RepairLogs *dualwrite.RepairLogs
	// WriteModes says the write mode (flag shadowread.write-mode).
	WriteModes dualwrite.WriteModeSource
	// Repairer replays the repair logs in the background.
	Repairer *repair.Worker
	Recorder *telemetry.OTel
	Shadow   *middleware.Shadower
	// NoiseBaseline is the percentage of shadows that also compare the
	// primary with itself (0: off); Shadow.Noise says what they learned.
	NoiseBaseline float64
	// Flags decides per request, as the middleware asks it.
	Flags *flags.Flags
	// Handler serves the catalog and /healthz: the public listener's
	// handler.
	Handler http.Handler
	// Admin serves /metrics, the report page, /healthz and the actions of
	// HandleAction: the handler of an admin listener that only operators
	// and Prometheus reach, such as a loopback address.
	Admin http.Handler

	admin   *http.ServeMux
	closers []func(context.Context) error // run in reverse order
}

// New connects to both stores, creates the schema and the table when they
// are missing, reads the flag file and assembles the service. Close it.
func New(ctx context.Context, cfg Config) (a *App, err error) {
	if cfg.PostgresURL == "" || cfg.FlagFile == "" {
		return nil, errors.New("app: Config needs PostgresURL and FlagFile")
	}
	if cfg.Table == "" {
		cfg.Table = "catalog"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.TraceRatio == 0 {
		cfg.TraceRatio = 1
	}
	if cfg.TraceURL == "" {
		cfg.TraceURL = os.Getenv(EnvTraceURL)
	}
	if cfg.TraceURL != "" && !strings.Contains(cfg.TraceURL, "{trace_id}") {
		return nil, fmt.Errorf("app: trace URL %q has no placeholder {trace_id}, as in http://localhost:16686/trace/{trace_id}", cfg.TraceURL)
	}
	switch {
	case cfg.NoiseBaseline == 0:
		cfg.NoiseBaseline = DefaultNoiseBaseline
	case cfg.NoiseBaseline < 0:
		cfg.NoiseBaseline = 0
	}
	a = &App{}
	defer func() {
		if err != nil {
			err = errors.Join(err, a.Close(context.WithoutCancel(ctx)))
			a = nil
		}
	}()

	obs, err := newObservability(ctx, cfg.TraceOutput, cfg.TraceRatio)
	if err != nil {
		return nil, err
	}
	a.onClose(obs.shutdown)

	pool, err := postgres.Open(ctx, cfg.PostgresURL, postgres.WithTracerProvider(obs.tracer))
	if err != nil {
		return a, err
	}
	a.onClose(func(context.Context) error { pool.Close(); return nil })
	a.Postgres = catalog.NewPostgresStore(pool)
	if err := a.Postgres.Migrate(ctx); err != nil {
		return a, err
	}

	ddbOpts := []dynamodb.Option{dynamodb.WithTracerProvider(obs.tracer), dynamodb.WithHTTPClient(cfg.DynamoDBHTTPClient)}
	if cfg.DynamoDBEndpoint != "" {
		ddbOpts = append(ddbOpts, dynamodb.WithEndpoint(cfg.DynamoDBEndpoint))
	} else {
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return a, fmt.Errorf("app: AWS configuration: %w", err)
		}
		ddbOpts = append(ddbOpts, dynamodb.WithConfig(awsCfg))
	}
	client, err := dynamodb.New(ctx, ddbOpts...)
	if err != nil {
		return a, err
	}
	a.onClose(func(context.Context) error { client.Close(); return nil })
	a.DynamoDB = catalog.NewDynamoDBStore(client.Client, cfg.Table)
	if err := a.DynamoDB.CreateTable(ctx); err != nil {
		return a, err
	}

	decider, writeModes, stopFlags, err := openFlags(ctx, cfg.FlagFile, cfg.Logger)
	if err != nil {
		return a, err
	}
	a.onClose(stopFlags)
	a.Flags = decider
	a.WriteModes = writeModes

	recorderOpts := []telemetry.Option{
		telemetry.WithLogger(cfg.Logger),
		// The read routes the Shadower wraps: their series exist at 0 in
		// both directions before their first event, so it counts.
		telemetry.WithRoutes(catalog.RouteProduct, catalog.RouteCustomerOrders, catalog.RouteOrder),
	}
	if cfg.TraceURL != "" {
		recorderOpts = append(recorderOpts, telemetry.WithTraceURL(cfg.TraceURL))
	}
	a.Recorder = telemetry.New(obs.tracer, obs.meter, recorderOpts...)
	var rec telemetry.Recorder = a.Recorder
	if cfg.WrapRecorder != nil {
		rec = cfg.WrapRecorder(rec)
	}
	a.Shadow = middleware.New(
		middleware.WithFlags(decider),
		middleware.WithComparator(comparator.JSON(comparator.PostgresDynamoDB())),
		middleware.WithRecorder(rec),
		// A read that races a dual write is read again before it counts.
		middleware.WithRecheck(RecheckAfter),
		middleware.WithNoiseBaseline(cfg.NoiseBaseline),
		middleware.WithEntityKey(entityKey),
	)
	if _, shows := rec.(interface{ AddProblemSource(func() error) }); !shows {
		// A wrapper hid the recorder from New: its page still shows why
		// nothing would be shadowed.
		a.Recorder.AddProblemSource(a.Shadow.Problem)
	}
	a.NoiseBaseline = cfg.NoiseBaseline
	// Shadows finish before the flags and the stores they use go away.
	a.onClose(a.Shadow.Close)

	a.RepairLogs = dualwrite.NewRepairLogs(a.Postgres, a.DynamoDB)
	a.Writer = dualwrite.New(a.Postgres, a.DynamoDB, dualwrite.WithWriteModes(writeModes),
		dualwrite.WithLogger(cfg.Logger), dualwrite.WithMeterProvider(obs.meter))
	a.Repairer = repair.StartWorker(a.Postgres, a.DynamoDB, repair.WithWriteModes(writeModes),
		repair.WithLogger(cfg.Logger), repair.WithMeterProvider(obs.meter))
	a.onClose(a.Repairer.Close)
	routes := catalog.NewRouter(catalog.NewStores(a.Postgres, a.DynamoDB), a.Shadow.Handler, catalog.WithReadGuard(dualwrite.Guard(writeModes)),
		catalog.WithWriteRoutes(a.Writer.Mount), catalog.WithMeterProvider(obs.meter), catalog.WithLogger(cfg.Logger),
		// A shadow of an entity still in a repair log is behind, not wrong.
		catalog.WithShadowBehind(a.RepairLogs, middleware.ShadowBehind))

	var service http.Handler = routes
	if cfg.WrapHandler != nil {
		service = cfg.WrapHandler(service)
	}
	root := chi.NewRouter()
	root.Use(nameSpanAfterRoute)
	root.Get(PathHealth, health)
	root.Mount("/", service)
	// otelhttp wraps the router itself, with no http.ServeMux in front:
	// otelhttp renames the span after the request's ServeMux pattern when
	// the handler returns, which would undo nameSpanAfterRoute with "GET /".
	a.Handler = otelhttp.NewHandler(root, "catalog",
		otelhttp.WithTracerProvider(obs.tracer), otelhttp.WithMeterProvider(obs.meter),
		otelhttp.WithPropagators(propagation.TraceContext{}),
		otelhttp.WithFilter(func(r *http.Request) bool { return r.URL.Path != PathHealth }))
	a.admin = newAdminMux(obs.metrics, a.Recorder.ReportHandler())
	a.Admin = a.admin
	a.HandleAction(PathMark, a.Recorder.MarkHandler())
	a.HandleAction(PathReverify, a.Shadow.ReverifyHandler())
	return a, nil
}

// entityKey names the entity a sampled catalog read is about ("product
// 42"), for the shadow's span and the mismatch log line; telemetry shows it
// redacted unless told otherwise.
func entityKey(r *http.Request) string {
	for _, param := range []string{"productID", "orderID", "customerID"} {
		if id := chi.URLParam(r, param); id != "" {
			return strings.TrimSuffix(param, "ID") + " " + id
		}
	}
	return ""
}

// nameSpanAfterRoute names the request's span after the chi route pattern
// once routing has found it ("GET /products/{productID}") and sets the
// pattern as http.route on the span and on otelhttp's request metrics.
func nameSpanAfterRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		pattern := chi.RouteContext(r.Context()).RoutePattern()
		if pattern == "" {
			return
		}
		route := attribute.String("http.route", pattern)
		span := trace.SpanFromContext(r.Context())
		span.SetName(r.Method + " " + pattern)
		span.SetAttributes(route)
		if labeler, ok := otelhttp.LabelerFromContext(r.Context()); ok {
			labeler.Add(route)
		}
	})
}

// onClose adds a step to Close. Steps run in reverse order, as deferred
// calls do: what was built last, and uses what was built before, goes first.
func (a *App) onClose(fn func(context.Context) error) { a.closers = append(a.closers, fn) }

// Close waits for running shadows, stops the flags, closes the stores'
// clients and flushes telemetry. Serve no more requests after it.
func (a *App) Close(ctx context.Context) error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i](ctx))
	}
	a.closers = nil
	return errors.Join(errs...)
}
