package verify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/time/rate"
)

// Verifier verifies a target store against a source, kind by kind. One
// Verifier is one worker; any number of them, in one process or many,
// share a run.
type Verifier struct {
	db    *pgxpool.Pool
	scan  Scan
	kinds []Kind
	cfg   config
	limit *rate.Limiter
}

// New returns a worker that keeps its runs in db (the source's PostgreSQL,
// or any other) and verifies the kinds, scanning the target with scan.
func New(db *pgxpool.Pool, scan Scan, kinds []Kind, opts ...Option) *Verifier {
	if db == nil {
		panic("verify: New(nil, ...): pass the pgx pool the runs are kept in")
	}
	if scan == nil {
		panic("verify: New: scan is nil: pass a function that scans one segment of the target")
	}
	if len(kinds) == 0 {
		panic("verify: New: no kinds: describe at least one entity kind")
	}
	seen := map[string]bool{}
	for _, k := range kinds {
		if k.Name == "" || k.MaxID == nil || k.Source == nil || k.Target == nil {
			panic(fmt.Sprintf("verify: New: kind %q needs a Name, MaxID, Source and Target", k.Name))
		}
		if seen[k.Name] {
			panic(fmt.Sprintf("verify: New: kind %q twice: give each kind one name", k.Name))
		}
		seen[k.Name] = true
	}
	c := newConfig(opts)
	limit := rate.NewLimiter(rate.Inf, 1)
	if c.rate > 0 {
		limit = rate.NewLimiter(rate.Limit(c.rate), max(1, int(c.rate)))
	}
	return &Verifier{db: db, scan: scan, kinds: kinds, cfg: c, limit: limit}
}

// NewRun creates a run over the source's ids as they stand now (ranges of
// [WithRangeSize] ids, [WithSegments] scan segments), to be worked by
// [Verifier.Work] in any number of workers.
func (v *Verifier) NewRun(ctx context.Context) (int64, error) {
	if err := migrate(ctx, v.db); err != nil {
		return 0, fmt.Errorf("verify: create tables: %w", err)
	}
	maxIDs := map[string]int64{}
	for _, k := range v.kinds {
		n, err := k.MaxID(ctx)
		if err != nil {
			return 0, fmt.Errorf("verify: max id of %s: %w", k.Name, err)
		}
		maxIDs[k.Name] = n
	}
	run, err := v.createRun(ctx, maxIDs)
	if err != nil {
		return 0, fmt.Errorf("verify: create run: %w", err)
	}
	return run, nil
}

// Latest returns the newest run and whether it is finished; 0 if there is
// none.
func (v *Verifier) Latest(ctx context.Context) (run int64, finished bool, err error) {
	if err := migrate(ctx, v.db); err != nil {
		return 0, false, fmt.Errorf("verify: create tables: %w", err)
	}
	err = v.db.QueryRow(ctx, `SELECT id, phase = 'done' FROM shadowread_verify_runs ORDER BY id DESC LIMIT 1`).Scan(&run, &finished)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return run, finished, err
}

// Work works on the run until it is finished and returns its report. A
// worker that stops (ctx) hands its unit back at once; one that crashes
// loses it when its lease runs out. Work returns the error of a store
// read (the unit is retried by whoever works next), never for a bad item.
func (v *Verifier) Work(ctx context.Context, run int64) (Report, error) {
	defer func() {
		// The unit in hand goes back to the run at once.
		_ = v.release(context.WithoutCancel(ctx), run)
	}()
	w := &worker{v: v, run: run, start: time.Now()}
	first, err := v.runState(ctx, run)
	if err != nil {
		return Report{}, err
	}
	w.startDone = first.done
	for {
		u, ok, err := v.lease(ctx, run)
		if err != nil {
			return Report{}, fmt.Errorf("verify: lease: %w", err)
		}
		if ok {
			if err := w.work(ctx, u); err != nil {
				return Report{}, err
			}
			if err := w.progress(ctx); err != nil {
				return Report{}, err
			}
			continue
		}
		st, err := v.runState(ctx, run)
		if err != nil {
			return Report{}, err
		}
		if st.phase == PhaseDone {
			return v.Result(ctx, run)
		}
		if st.done == st.units {
			if err := v.advance(ctx, run); err != nil {
				return Report{}, fmt.Errorf("verify: advance: %w", err)
			}
			continue
		}
		// Every unit left is leased by another worker: wait for it.
		if err := sleep(ctx, v.cfg.poll); err != nil {
			return Report{}, err
		}
	}
}

// Progress is where a run stands, as one worker sees it.
type Progress struct {
	Run   int64
	Phase string // count, compare or done
	// Units of the run, of them done (by any worker), and held by workers
	// now.
	Units, UnitsDone, Leased int
	// Entities read so far by every worker of the run, on both sides.
	Entities int64
	// Rate is the run's entities per second since this worker joined; ETA
	// the time left at the pace of the units done since then.
	Rate    float64
	ETA     time.Duration
	Elapsed time.Duration
}

type worker struct {
	v         *Verifier
	run       int64
	start     time.Time
	startDone int
	rangeSize int64
	segments  int
}

func (w *worker) progress(ctx context.Context) error {
	st, err := w.v.runState(ctx, w.run)
	if err != nil {
		return err
	}
	elapsed := time.Since(w.start)
	p := Progress{Run: w.run, Phase: st.phase, Units: st.units, UnitsDone: st.done, Leased: st.leased, Entities: st.entities,
		Elapsed: elapsed, Rate: float64(st.entities) / max(elapsed.Seconds(), 1e-3)}
	if since := st.done - w.startDone; since > 0 {
		p.ETA = time.Duration(float64(elapsed) * float64(st.units-st.done) / float64(since))
	}
	w.v.cfg.onProgress(p)
	return nil
}

func (w *worker) work(ctx context.Context, u unit) error {
	if w.rangeSize == 0 {
		st, err := w.v.runState(ctx, w.run)
		if err != nil {
			return err
		}
		w.rangeSize, w.segments = st.rangeSize, st.segments
	}
	switch u.unit {
	case unitSource:
		return w.countSource(ctx, u)
	case unitTarget:
		return w.countTarget(ctx, u)
	case unitCompare:
		return w.compare(ctx, u)
	}
	return fmt.Errorf("verify: unknown unit %q", u.unit)
}

// kind returns the kind named name.
func (v *Verifier) kind(name string) (Kind, bool) {
	for _, k := range v.kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// wait returns when n more entities may be read, in steps the limiter's
// burst allows.
func (v *Verifier) wait(ctx context.Context, n int) error {
	for n > 0 && v.limit.Limit() != rate.Inf {
		step := min(n, v.limit.Burst())
		if err := v.limit.WaitN(ctx, step); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		n -= step
	}
	return ctx.Err()
}
