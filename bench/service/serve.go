package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/bench/internal/shop"
)

// shutdownTimeout bounds the graceful shutdown: requests in flight, then
// shadows in flight.
const shutdownTimeout = 30 * time.Second

type serveConfig struct {
	pgURL, ddbURL, table string
	mode                 string
	samplePercent        float64
	guard                float64 // latency guard tolerance; 0: off
	addr, debugAddr      string
}

// serve runs the shop until ctx is done.
func serve(ctx context.Context, cfg serveConfig, stdout io.Writer) error {
	v, err := newVariant(ctx, cfg.mode, cfg.samplePercent, cfg.guard)
	if err != nil {
		return err
	}
	pool, err := postgres.Open(ctx, cfg.pgURL)
	if err != nil {
		return errors.Join(err, v.close(ctx))
	}
	defer pool.Close()
	client, err := dynamodb.New(ctx, dynamodb.WithEndpoint(cfg.ddbURL))
	if err != nil {
		return errors.Join(err, v.close(ctx))
	}
	defer client.Close()
	routes := shop.NewRouter(shop.NewPostgresStore(pool), shop.NewDynamoDBStore(client.Client, cfg.table), v.middleware)

	app := &http.Server{Handler: routes, ReadHeaderTimeout: 10 * time.Second}
	debug := &http.Server{Handler: debugHandler(v), ReadHeaderTimeout: 10 * time.Second}
	var lc net.ListenConfig
	appLn, err := lc.Listen(ctx, "tcp", cfg.addr)
	if err != nil {
		return errors.Join(err, v.close(ctx))
	}
	debugLn, err := lc.Listen(ctx, "tcp", cfg.debugAddr)
	if err != nil {
		appLn.Close()
		return errors.Join(err, v.close(ctx))
	}
	if _, err := fmt.Fprintf(stdout, "addr=%s debug=%s\n", appLn.Addr(), debugLn.Addr()); err != nil {
		appLn.Close()
		debugLn.Close()
		return errors.Join(err, v.close(ctx))
	}

	g, gctx := errgroup.WithContext(ctx)
	for _, s := range []struct {
		srv *http.Server
		ln  net.Listener
	}{{app, appLn}, {debug, debugLn}} {
		g.Go(func() error {
			if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
	}
	g.Go(func() error {
		<-gctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer cancel()
		// Users' requests first, then the shadows they started.
		return errors.Join(app.Shutdown(shutdownCtx), v.close(shutdownCtx), debug.Shutdown(shutdownCtx))
	})
	return g.Wait()
}

// debugHandler serves what the harness watches, apart from the shop's
// routes so that nothing is added to the requests measured.
func debugHandler(v variant) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/goroutines", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, strconv.Itoa(runtime.NumGoroutine())+"\n")
	})
	mux.HandleFunc("GET /debug/outcomes", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, v.outcomes()) })
	mux.HandleFunc("GET /debug/runtime", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, readRuntimeStats()) })
	// A CPU profile over ?seconds=N, for the harness's CPU by component.
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}
