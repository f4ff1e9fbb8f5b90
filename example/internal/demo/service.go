package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shadowread/shadowread/example/internal/app"
	"github.com/shadowread/shadowread/example/internal/dualwrite"
	"github.com/shadowread/shadowread/telemetry"
)

// start creates the run's database, writes the first flag file, starts the
// service and serves it and its admin page. stop undoes it, last first.
func (d *demoRun) start(ctx context.Context) (stop func(context.Context) error, err error) {
	var stops []func(context.Context) error
	stop = func(ctx context.Context) error {
		var err error
		for i := len(stops) - 1; i >= 0; i-- {
			err = errors.Join(err, stops[i](ctx))
		}
		return err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, stop(context.WithoutCancel(ctx)))
		}
	}()
	pgURL, dbName, err := createDatabase(ctx, d.cfg.PostgresURL)
	if err != nil {
		return nil, err
	}
	d.dbName = dbName
	if err := d.setFlags(flagState{mode: dualwrite.WritePostgres}); err != nil {
		return nil, err
	}
	// Spans go to the OTLP endpoint when the environment sets one, else to
	// a file.
	d.tracePath = filepath.Join(d.cfg.Dir, "traces.jsonl")
	var traces io.Writer
	if app.OTLPEndpoint() == "" {
		f, err := os.Create(d.tracePath)
		if err != nil {
			return nil, err
		}
		stops = append(stops, func(context.Context) error { f.Close(); return nil })
		traces = f
	}
	a, err := app.New(ctx, app.Config{
		PostgresURL:      pgURL,
		DynamoDBEndpoint: d.cfg.DynamoDBEndpoint,
		Table:            "catalog-" + dbName,
		FlagFile:         d.flagPath,
		Logger:           d.logger,
		TraceOutput:      traces,
		TraceRatio:       traceRatio,
		WrapRecorder: func(r telemetry.Recorder) telemetry.Recorder {
			d.tracker = NewTracker(r)
			return d.switchRecorder(d.tracker, r)
		},
		WrapHandler:        TagRequests,
		NoiseBaseline:      d.cfg.NoiseBaseline,
		DynamoDBHTTPClient: d.regression.Client(),
	})
	if err != nil {
		return nil, err
	}
	stops = append(stops, a.Close)
	d.app = a

	base, stopService, err := d.serve(d.cfg.Addr, a.Handler)
	if err != nil {
		return nil, err
	}
	stops = append(stops, stopService)
	admin, stopAdmin, err := d.serve(d.cfg.AdminAddr, a.Admin)
	if err != nil {
		return nil, err
	}
	stops = append(stops, stopAdmin)
	d.base, d.admin = base, admin
	return stop, nil
}

// serve serves h on addr (or a free port) until stop, and returns its
// base URL.
func (d *demoRun) serve(addr string, h http.Handler) (base string, stop func(context.Context) error, err error) {
	ln, err := listen(addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(d.logger.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	stop = func(ctx context.Context) error {
		shutdownCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		err := srv.Shutdown(shutdownCtx)
		if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
			err = errors.Join(err, serveErr)
		}
		return err
	}
	return "http://" + ln.Addr().String(), stop, nil
}

// createDatabase creates a database of the run's own on the server and
// returns its URL and name.
func createDatabase(ctx context.Context, serverURL string) (string, string, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", "", fmt.Errorf("demo: PostgreSQL URL: %w", err)
	}
	name := fmt.Sprintf("demo_%d", time.Now().UnixNano())
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return "", "", fmt.Errorf("demo: connect to PostgreSQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", "", fmt.Errorf("demo: create database %s: %w", name, err)
	}
	u.Path = "/" + name
	return u.String(), name, nil
}

// listen listens on addr, or on a free port of its host when addr is taken.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	host, _, splitErr := net.SplitHostPort(addr)
	if splitErr != nil {
		return nil, err
	}
	return net.Listen("tcp", net.JoinHostPort(host, "0"))
}
