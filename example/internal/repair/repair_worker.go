package repair

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/dualwrite"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/shadowread/shadowread/backends"
)

// Replay worker defaults.
const (
	DefaultInterval   = time.Second
	DefaultMaxBackoff = 30 * time.Second
	DefaultBatch      = 100
	// repairRoundTimeout bounds one round, so a hung store cannot hold the
	// worker (or Close) for long.
	repairRoundTimeout = 10 * time.Second
)

// Option configures [StartWorker].
type Option func(*Worker)

// WithInterval sets the pause between rounds while the logs are
// drained and the stores answer (default [DefaultInterval]).
func WithInterval(d time.Duration) Option {
	if d <= 0 {
		panic(fmt.Sprintf("repair: WithInterval(%v): the interval must be positive, such as time.Second", d))
	}
	return func(w *Worker) { w.interval = d }
}

// WithMaxBackoff bounds the pause after failed rounds: it doubles
// from the interval up to d while the target store fails (default
// [DefaultMaxBackoff]).
func WithMaxBackoff(d time.Duration) Option {
	if d <= 0 {
		panic(fmt.Sprintf("repair: WithMaxBackoff(%v): the bound must be positive, such as 30*time.Second", d))
	}
	return func(w *Worker) { w.maxBackoff = d }
}

// WithBatch sets how many log entries one round replays per store
// (default [DefaultBatch]).
func WithBatch(n int) Option {
	if n < 1 {
		panic(fmt.Sprintf("repair: WithBatch(%d): a round replays at least one entry", n))
	}
	return func(w *Worker) { w.batch = n }
}

// WithWriteModes sets the write mode the worker follows (default
// [dualwrite.WriteBoth]): it replays only while the mode writes both stores.
func WithWriteModes(src dualwrite.WriteModeSource) Option {
	if src == nil {
		panic("repair: WithWriteModes(nil): pass the writer's write-mode source, or leave the option out")
	}
	return func(w *Worker) { w.modes = src }
}

// WithLogger sets the logger of failed rounds (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	if l == nil {
		panic("repair: WithLogger(nil): pass slog.New(slog.DiscardHandler) for no logs")
	}
	return func(w *Worker) { w.log = l }
}

// WithMeterProvider sets where the repair logs' gauges go (default:
// the global meter provider).
func WithMeterProvider(mp metric.MeterProvider) Option {
	if mp == nil {
		panic("repair: WithMeterProvider(nil): leave the option out for the global provider")
	}
	return func(w *Worker) { w.meter = mp }
}

// Worker replays the repair logs in the background: DynamoDB's (in
// PostgreSQL) while the write mode is both, and PostgreSQL's (in DynamoDB)
// while it is dynamodb-first; both logs while either mode holds, since a
// switch can leave entries in the other. Each round replays at most a batch
// per log with the conditional writes of [Replay] and [ReplayPostgres], so
// replays are idempotent; a full batch starts the next round at once, a
// failing store doubles the pause up to the bound, and a store that
// answers again during the pause (asked every interval) ends it at once. It
// reports the logs' depth and the age of their oldest entry as gauges:
//
//	catalog.outbox.depth        {entry}  entries waiting, by store (the one they are for)
//	catalog.outbox.oldest_age   s        age of the oldest entry, by store
//
// Its one goroutine is stopped by [Worker.Close].
type Worker struct {
	pg         *catalog.PostgresStore
	ddb        *catalog.DynamoDBStore
	logs       *dualwrite.RepairLogs
	interval   time.Duration
	maxBackoff time.Duration
	batch      int
	modes      dualwrite.WriteModeSource
	log        *slog.Logger
	meter      metric.MeterProvider
	now        func() time.Time

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	reg       metric.Registration

	mu     sync.Mutex
	stats  WorkerStats
	kicked chan struct{}
}

// WorkerStats is what a [Worker] did so far and what it last
// saw in the logs.
type WorkerStats struct {
	Rounds, FailedRounds int
	// Repaired and Failed count log entries, in both directions.
	Repaired, Failed int
	// Depth and Oldest are the logs' size and oldest entry at the end of
	// the last round, by the store the entries are for.
	Depth  map[backends.Name]int
	Oldest map[backends.Name]time.Time
	// Backoff is the pause before the next round.
	Backoff time.Duration
	// CaughtUp counts back-offs ended early because both stores answered
	// again.
	CaughtUp int
}

// StartWorker starts a worker that replays the repair logs of pg and
// ddb until [Worker.Close].
func StartWorker(pg *catalog.PostgresStore, ddb *catalog.DynamoDBStore, opts ...Option) *Worker {
	if pg == nil || ddb == nil {
		panic("repair: StartWorker needs both stores")
	}
	w := &Worker{
		pg: pg, ddb: ddb, logs: dualwrite.NewRepairLogs(pg, ddb), interval: DefaultInterval, maxBackoff: DefaultMaxBackoff, batch: DefaultBatch,
		modes: dualwrite.FixedWriteMode(dualwrite.DefaultWriteMode), log: slog.Default(), meter: otel.GetMeterProvider(), now: time.Now,
		stop: make(chan struct{}), done: make(chan struct{}), kicked: make(chan struct{}, 1),
	}
	for _, o := range opts {
		if o != nil {
			o(w)
		}
	}
	w.stats.Depth = map[backends.Name]int{}
	w.stats.Oldest = map[backends.Name]time.Time{}
	w.registerGauges()
	go w.run()
	return w
}

func (w *Worker) registerGauges() {
	m := w.meter.Meter(catalog.ScopeName)
	depth, err1 := m.Int64ObservableGauge("catalog.outbox.depth", metric.WithUnit("{entry}"),
		metric.WithDescription("Replay-log entries waiting to be copied to the store named by the store attribute."))
	age, err2 := m.Float64ObservableGauge("catalog.outbox.oldest_age", metric.WithUnit("s"),
		metric.WithDescription("Age of the oldest repair-log entry waiting for the store named by the store attribute; 0 when none waits."))
	if err := errors.Join(err1, err2); err != nil {
		otel.Handle(err)
		return
	}
	reg, err := m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		s := w.Stats()
		now := w.now()
		for _, b := range backends.Names() {
			attrs := metric.WithAttributes(attribute.String("store", string(b)))
			o.ObserveInt64(depth, int64(s.Depth[b]), attrs)
			a := 0.0
			if t := s.Oldest[b]; !t.IsZero() {
				a = max(0, now.Sub(t).Seconds())
			}
			o.ObserveFloat64(age, a, attrs)
		}
		return nil
	}, depth, age)
	if err != nil {
		otel.Handle(err)
		return
	}
	w.reg = reg
}

// Kick starts the next round now, as a write that just failed may ask.
func (w *Worker) Kick() {
	select {
	case w.kicked <- struct{}{}:
	default:
	}
}

// Stats returns a snapshot of what the worker did.
func (w *Worker) Stats() WorkerStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.stats
	s.Depth = make(map[backends.Name]int, len(w.stats.Depth))
	s.Oldest = make(map[backends.Name]time.Time, len(w.stats.Oldest))
	for k, v := range w.stats.Depth {
		s.Depth[k] = v
	}
	for k, v := range w.stats.Oldest {
		s.Oldest[k] = v
	}
	return s
}

// Close stops the worker and waits for its round to end, or for ctx.
func (w *Worker) Close(ctx context.Context) error {
	w.closeOnce.Do(func() {
		close(w.stop)
		if w.reg != nil {
			_ = w.reg.Unregister()
		}
	})
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("catalog: repair worker still running: %w", ctx.Err())
	}
}

func (w *Worker) run() {
	defer close(w.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-w.stop:
			cancel()
		case <-w.done:
		}
	}()
	pause := time.Duration(0) // a first round at once: the logs may have entries from before a restart
	var afterID int64
	afterKey := ""
	for {
		if !w.wait(ctx, pause) {
			return
		}
		full, failed := w.round(ctx, &afterID, &afterKey)
		switch {
		case failed:
			pause = min(max(2*pause, w.interval), w.maxBackoff)
		case full:
			pause = 0
		default:
			pause = w.interval
		}
		w.mu.Lock()
		w.stats.Backoff = pause
		w.mu.Unlock()
	}
}

// wait pauses before the next round and reports false when the worker is
// stopped. A pause longer than the interval is a back-off after failed
// rounds: the worker then asks both stores every interval whether they
// answer, and when one that did not answers again it ends the pause, so a
// store that comes back is caught up at once rather than at the end of the
// back-off. A round that failed while both stores answer (a conflict the
// repair refuses) keeps its back-off.
func (w *Worker) wait(ctx context.Context, pause time.Duration) bool {
	deadline := w.now().Add(pause)
	probing, sawDown := pause > w.interval, false
	for {
		step := pause
		if probing {
			step = min(w.interval, max(0, deadline.Sub(w.now())))
		}
		timer := time.NewTimer(step)
		select {
		case <-w.stop:
			timer.Stop()
			return false
		case <-w.kicked:
			timer.Stop()
			return true
		case <-timer.C:
		}
		if !probing || !w.now().Before(deadline) {
			return true
		}
		switch up := w.storesAnswer(ctx); {
		case up && sawDown:
			w.mu.Lock()
			w.stats.CaughtUp++
			w.mu.Unlock()
			return true
		case up:
			// Both answer: the round failed for another reason.
			probing = false
			pause = max(0, deadline.Sub(w.now()))
		default:
			sawDown = true
		}
	}
}

// storesAnswer probes both stores with one cheap call each.
func (w *Worker) storesAnswer(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, w.interval)
	defer cancel()
	return w.pg.Ping(ctx) == nil && w.ddb.Ping(ctx) == nil
}

// round replays one batch of each log the mode allows and refreshes the
// logs' sizes. It reports whether a batch was full and whether anything
// failed.
func (w *Worker) round(ctx context.Context, afterID *int64, afterKey *string) (full, failed bool) {
	ctx, cancel := context.WithTimeout(ctx, repairRoundTimeout)
	defer cancel()
	mode := w.modes.WriteMode(ctx)
	if !mode.Writes(backends.Postgres) || !mode.Writes(backends.DynamoDB) {
		// One store is not written: nothing to copy, and its log may be
		// gone with it.
		return false, false
	}
	var total Stats
	var errs []error

	s, next, err := replayToDynamoDB(ctx, w.pg, w.ddb, *afterID, w.batch)
	total.add(s)
	errs = append(errs, err)
	*afterID = next
	if s.Entries < w.batch { // the end of the log: start from the head again
		*afterID = 0
	}
	full = full || s.Entries == w.batch

	s, nextKey, err := replayToPostgres(ctx, w.pg, w.ddb, *afterKey, w.batch)
	total.add(s)
	errs = append(errs, err)
	*afterKey = nextKey
	if s.Entries < w.batch {
		*afterKey = ""
	}
	full = full || s.Entries == w.batch

	ddbDepth, ddbOldest, err1 := w.logs.RepairLogAge(ctx)
	pgDepth, pgOldest, err2 := w.logs.PostgresRepairLogSize(ctx)
	errs = append(errs, err1, err2)
	err = errors.Join(errs...)
	failed = err != nil || total.Failed > 0

	w.mu.Lock()
	w.stats.Rounds++
	w.stats.Repaired += total.Repaired
	w.stats.Failed += total.Failed
	if failed {
		w.stats.FailedRounds++
	}
	if err1 == nil {
		w.stats.Depth[backends.DynamoDB], w.stats.Oldest[backends.DynamoDB] = ddbDepth, ddbOldest
	}
	if err2 == nil {
		w.stats.Depth[backends.Postgres], w.stats.Oldest[backends.Postgres] = pgDepth, pgOldest
	}
	w.mu.Unlock()
	if failed && ctx.Err() == nil {
		w.log.WarnContext(ctx, "catalog: repair round failed; backing off", "repaired", total.Repaired, "failed", total.Failed, "err", err)
	}
	return full, failed
}
