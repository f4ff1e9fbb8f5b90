package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/shadowread/shadowread/example/internal/app"
)

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	st := storeFlags(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address of the catalog")
	adminAddr := fs.String("admin-addr", "127.0.0.1:8081", "listen address of /metrics, the report page and the POST-only actions; keep it off the public network")
	flagFile := fs.String("flags", "flagfile/catalog.flagd.json", "flagd flag file; edits take effect at once")
	traces := fs.String("traces", "-", `where spans go when OTEL_EXPORTER_OTLP_ENDPOINT is not set: a file, "-" for stdout, "" for nowhere`)
	ratio := fs.Float64("trace-ratio", 1, "share of traces kept when OTEL_TRACES_SAMPLER is not set")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := st.check(); err != nil {
		return err
	}
	if _, err := os.Stat(*flagFile); err != nil {
		return errors.New("no flag file: give -flags (the example ships flagfile/catalog.flagd.json)")
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { logger.Warn("opentelemetry", "err", err) }))

	var traceOut io.Writer
	switch *traces {
	case "":
	case "-":
		traceOut = os.Stdout
	default:
		f, err := os.Create(*traces)
		if err != nil {
			return err
		}
		defer f.Close()
		traceOut = f
	}
	a, err := app.New(ctx, app.Config{
		PostgresURL: st.pg, DynamoDBEndpoint: st.dynamodb, Table: st.table, FlagFile: *flagFile,
		Logger: logger, TraceOutput: traceOut, TraceRatio: *ratio,
	})
	if err != nil {
		return err
	}
	errorLog := slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	servers := []*http.Server{newServer(*addr, a.Handler, errorLog), newServer(*adminAddr, a.Admin, errorLog)}
	served := make(chan error, len(servers))
	for _, srv := range servers {
		go func() { served <- srv.ListenAndServe() }()
	}
	logger.Info("catalog: serving", "addr", *addr, "admin", *adminAddr, "report", app.PathReport, "metrics", app.PathMetrics)

	var errs []error
	select {
	case err := <-served: // one failed to listen: stop the other
		errs = append(errs, err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for _, srv := range servers {
		errs = append(errs, srv.Shutdown(shutdown))
	}
	// Each server gives two results: its Shutdown's and its ListenAndServe's.
	for len(errs) < 2*len(servers) {
		errs = append(errs, <-served)
	}
	for i, e := range errs {
		if errors.Is(e, http.ErrServerClosed) {
			errs[i] = nil
		}
	}
	err = errors.Join(errs...)
	closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return errors.Join(err, a.Close(closeCtx))
}

// Server timeouts: a client that is slow to send a request, or keeps a
// connection open and idle, must not hold a connection and its goroutine
// for ever.
const (
	readHeaderTimeout = 5 * time.Second
	// readTimeout bounds reading a whole request; the write bodies are
	// small (64 KiB at most).
	readTimeout = 10 * time.Second
	// idleTimeout closes a kept-alive connection with no request.
	idleTimeout = 60 * time.Second
)

func newServer(addr string, h http.Handler, errorLog *log.Logger) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout,
		IdleTimeout: idleTimeout, ErrorLog: errorLog}
}
