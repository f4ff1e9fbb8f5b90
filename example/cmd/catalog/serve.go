package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/shadowread/shadowread/example/app"
)

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	st := storeFlags(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
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
	srv := &http.Server{Addr: *addr, Handler: a.Handler, ReadHeaderTimeout: 5 * time.Second,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe() }()
	logger.Info("catalog: serving", "addr", *addr, "report", app.PathReport, "metrics", app.PathMetrics)

	select {
	case err = <-served: // failed to listen, or stopped
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		err = srv.Shutdown(shutdown)
		<-served
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return errors.Join(err, a.Close(closeCtx))
}
