package catalog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/comparator"
)

// Verification defaults.
const (
	DefaultVerifyRangeSize = 1000
	DefaultVerifySegments  = 8
	DefaultVerifyLease     = 30 * time.Second
)

// VerifyOption configures [NewVerifyRun] and [Verify].
type VerifyOption func(*verifyConfig)

type verifyConfig struct {
	rangeSize  int64
	segments   int
	rate       float64
	lease      time.Duration
	worker     string
	onProgress func(VerifyProgress)
	poll       time.Duration
}

// WithVerifyRangeSize sets the ids per key range of a new run (default
// [DefaultVerifyRangeSize]).
func WithVerifyRangeSize(n int) VerifyOption {
	if n < 1 {
		panic(fmt.Sprintf("catalog: WithVerifyRangeSize(%d): a range holds at least one id", n))
	}
	return func(c *verifyConfig) { c.rangeSize = int64(n) }
}

// WithVerifySegments sets the DynamoDB parallel-scan segments of a new run
// (default [DefaultVerifySegments]).
func WithVerifySegments(n int) VerifyOption {
	if n < 1 || n > 1_000_000 {
		panic(fmt.Sprintf("catalog: WithVerifySegments(%d): DynamoDB takes 1 to 1,000,000 segments", n))
	}
	return func(c *verifyConfig) { c.segments = n }
}

// WithVerifyRate bounds what a worker reads, in entities (PostgreSQL rows,
// DynamoDB items) per second, so verification cannot starve the service;
// 0, the default, is no bound. Each worker process has its own bound.
func WithVerifyRate(perSecond float64) VerifyOption {
	if perSecond < 0 {
		panic(fmt.Sprintf("catalog: WithVerifyRate(%v): the rate must be 0 (no bound) or positive", perSecond))
	}
	return func(c *verifyConfig) { c.rate = perSecond }
}

// WithVerifyLease sets how long a worker holds a unit before others may
// take it over, as after a crash (default [DefaultVerifyLease]). It must
// exceed the time one unit takes.
func WithVerifyLease(d time.Duration) VerifyOption {
	if d <= 0 {
		panic(fmt.Sprintf("catalog: WithVerifyLease(%v): the lease must be positive, such as 30*time.Second", d))
	}
	return func(c *verifyConfig) { c.lease = d }
}

// WithVerifyProgress calls fn after every unit the worker finishes, from
// the worker's goroutine. fn must return quickly.
func WithVerifyProgress(fn func(VerifyProgress)) VerifyOption {
	if fn == nil {
		panic("catalog: WithVerifyProgress(nil): pass a function, or leave the option out")
	}
	return func(c *verifyConfig) { c.onProgress = fn }
}

func newVerifyConfig(opts []VerifyOption) verifyConfig {
	c := verifyConfig{rangeSize: DefaultVerifyRangeSize, segments: DefaultVerifySegments, lease: DefaultVerifyLease,
		onProgress: func(VerifyProgress) {}, poll: 50 * time.Millisecond}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	c.worker = hex.EncodeToString(b[:])
	return c
}

// VerifyProgress is where a run stands, as one worker sees it.
type VerifyProgress struct {
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

// Finding kinds.
const (
	FindingMissing  = "missing_in_dynamodb" // in PostgreSQL only
	FindingExtra    = "extra_in_dynamodb"   // in DynamoDB only
	FindingChanged  = "changed"             // in both, different
	FindingAbsorbed = "absorbed"            // different bytes, equal for the comparator preset
)

// VerifyFinding is one entity that differs between the stores.
type VerifyFinding struct {
	Entity Entity
	ID     int64
	Kind   string
	// Signature is the comparator's signature of the difference, the one
	// the shadow middleware reports for the same difference on a read
	// endpoint; Fields are the index-free fields that differ.
	Signature string
	Fields    []string
}

// VerifyReport is the result of a finished run.
type VerifyReport struct {
	Run int64
	// Ranges are the key ranges counted per entity; Differing the ranges
	// whose counts or checksums differed and were compared entity by
	// entity.
	Ranges, Differing int
	// PostgresRows and DynamoDBEntities count the entities on each side;
	// DynamoDBItems the items they are made of.
	PostgresRows, DynamoDBEntities, DynamoDBItems int64
	// Findings are the entities that differ, and the representation
	// differences the preset absorbs (kind absorbed), by entity and id.
	Findings []VerifyFinding
	Elapsed  time.Duration
}

// Differences returns the findings that are real differences (all but the
// absorbed ones).
func (r VerifyReport) Differences() []VerifyFinding {
	var out []VerifyFinding
	for _, f := range r.Findings {
		if f.Kind != FindingAbsorbed {
			out = append(out, f)
		}
	}
	return out
}

// NewVerifyRun creates a verification run: its PostgreSQL key ranges and
// DynamoDB scan segments, to be worked by [Verify] in any number of
// processes.
func NewVerifyRun(ctx context.Context, pg *PostgresStore, opts ...VerifyOption) (int64, error) {
	c := newVerifyConfig(opts)
	return pg.createRun(ctx, c.rangeSize, c.segments)
}

// LatestVerifyRun returns the newest run and whether it is finished; 0 if
// there is none.
func LatestVerifyRun(ctx context.Context, pg *PostgresStore) (run int64, finished bool, err error) {
	err = pg.pool.QueryRow(ctx, `SELECT id, phase = 'done' FROM verify_runs ORDER BY id DESC LIMIT 1`).Scan(&run, &finished)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return run, finished, postgres.MapError(err)
}

// Verify works on the run until it is finished and returns its report.
//
// A run compares the two stores as a whole, including rows no request
// reads. First each side is counted: PostgreSQL per entity and key range,
// DynamoDB per parallel-scan segment; every entity is normalised (the JSON
// the read endpoints serve, decimals in their shortest form) and hashed,
// and per range the entities are counted and their hashes summed, which
// does not depend on order. Then every range whose counts or sums differ
// is compared entity by entity with the comparator and its
// PostgreSQL→DynamoDB preset, as the shadow middleware compares responses:
// each entity that differs is a [VerifyFinding] with the middleware's
// signature.
//
// Work is leased unit by unit through PostgreSQL (FOR UPDATE SKIP LOCKED),
// so several workers, in one process or many, share a run; a worker that
// stops (ctx) releases its unit, one that crashes loses it when its lease
// runs out, and the run goes on with whoever works on it. A stopped run
// resumes where it stood.
func Verify(ctx context.Context, pg *PostgresStore, ddb *DynamoDBStore, run int64, opts ...VerifyOption) (VerifyReport, error) {
	c := newVerifyConfig(opts)
	v := &verifier{pg: pg, ddb: ddb, run: run, cfg: c, limit: newRateLimit(c.rate), start: time.Now()}
	defer func() {
		// The unit in hand goes back to the run at once.
		_ = pg.release(context.WithoutCancel(ctx), run, c.worker)
	}()
	first, err := pg.runState(ctx, run)
	if err != nil {
		return VerifyReport{}, err
	}
	v.startDone = first.done
	for {
		u, ok, err := pg.lease(ctx, run, c.worker, c.lease)
		if err != nil {
			return VerifyReport{}, err
		}
		if ok {
			if err := v.work(ctx, u); err != nil {
				return VerifyReport{}, err
			}
			if err := v.progress(ctx); err != nil {
				return VerifyReport{}, err
			}
			continue
		}
		st, err := pg.runState(ctx, run)
		if err != nil {
			return VerifyReport{}, err
		}
		if st.phase == phaseDone {
			return VerifyResult(ctx, pg, run)
		}
		if st.done == st.units {
			if err := pg.advance(ctx, run); err != nil {
				return VerifyReport{}, err
			}
			continue
		}
		// Every unit left is leased by another worker: wait for it.
		select {
		case <-ctx.Done():
			return VerifyReport{}, ctx.Err()
		case <-time.After(c.poll):
		}
	}
}

type verifier struct {
	pg        *PostgresStore
	ddb       *DynamoDBStore
	run       int64
	cfg       verifyConfig
	limit     *rateLimit
	start     time.Time
	startDone int
}

func (v *verifier) progress(ctx context.Context) error {
	st, err := v.pg.runState(ctx, v.run)
	if err != nil {
		return err
	}
	elapsed := time.Since(v.start)
	p := VerifyProgress{Run: v.run, Phase: st.phase, Units: st.units, UnitsDone: st.done, Leased: st.leased, Entities: st.entities,
		Elapsed: elapsed, Rate: float64(st.entities) / max(elapsed.Seconds(), 1e-3)}
	if since := st.done - v.startDone; since > 0 {
		p.ETA = time.Duration(float64(elapsed) * float64(st.units-st.done) / float64(since))
	}
	v.cfg.onProgress(p)
	return nil
}

func (v *verifier) work(ctx context.Context, u verifyUnit) error {
	switch u.kind {
	case unitPostgres:
		return v.countPostgres(ctx, u)
	case unitDynamoDB:
		return v.countDynamoDB(ctx, u)
	case unitCompare:
		return v.compare(ctx, u)
	}
	return fmt.Errorf("catalog: unknown verification unit %q", u.kind)
}

// hashedRange reads a PostgreSQL range and hashes its entities by id.
func (v *verifier) hashedRange(ctx context.Context, e Entity, lo, hi int64) (map[int64]int64, map[int64]any, error) {
	if err := v.limit.wait(ctx, int(hi-lo)); err != nil {
		return nil, nil, err
	}
	rows, err := copier{v.pg, v.ddb}.readRange(ctx, e, lo, hi)
	if err != nil {
		return nil, nil, err
	}
	hashes, entities := map[int64]int64{}, map[int64]any{}
	for _, p := range rows.products {
		hashes[p.ID], entities[p.ID] = entityHash(p), p
	}
	for _, o := range rows.orders {
		hashes[o.ID], entities[o.ID] = entityHash(o), o
	}
	return hashes, entities, nil
}

func (v *verifier) countPostgres(ctx context.Context, u verifyUnit) error {
	hashes, _, err := v.hashedRange(ctx, u.entity, u.lo, u.hi)
	if err != nil {
		return err
	}
	var sum int64
	for _, h := range hashes {
		sum += h // wraps: compared modulo 2^64
	}
	return v.pg.finish(ctx, v.run, u, int64(len(hashes)), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO verify_sums (run_id, entity, range_lo, segment, entities, items, checksum)
VALUES ($1, $2, $3, -1, $4, 0, $5) ON CONFLICT DO NOTHING`, v.run, string(u.entity), u.lo, len(hashes), sum)
		return err
	})
}

func (v *verifier) countDynamoDB(ctx context.Context, u verifyUnit) error {
	st, err := v.pg.runState(ctx, v.run)
	if err != nil {
		return err
	}
	found, err := v.ddb.scanSegment(ctx, int(u.lo), st.segments, v.limit.wait)
	if err != nil {
		return err
	}
	type rangeKey struct {
		entity Entity
		lo     int64
	}
	type sums struct{ entities, items, checksum int64 }
	byRange := map[rangeKey]*sums{}
	var ids, hashes []int64
	var names []string
	for _, f := range found {
		k := rangeKey{f.entity, (f.id-1)/st.rangeSize*st.rangeSize + 1}
		if f.id < 1 {
			k.lo = 0
		}
		s := byRange[k]
		if s == nil {
			s = &sums{}
			byRange[k] = s
		}
		s.entities++
		s.items += int64(f.items)
		s.checksum += f.hash
		names, ids, hashes = append(names, string(f.entity)), append(ids, f.id), append(hashes, f.hash)
	}
	return v.pg.finish(ctx, v.run, u, int64(len(found)), func(tx pgx.Tx) error {
		for k, s := range byRange {
			if _, err := tx.Exec(ctx, `INSERT INTO verify_sums (run_id, entity, range_lo, segment, entities, items, checksum)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`, v.run, string(k.entity), k.lo, u.lo, s.entities, s.items, s.checksum); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO verify_items (run_id, entity, entity_id, hash)
SELECT $1, t.entity, t.id, t.hash FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS t (entity, id, hash)
ON CONFLICT DO NOTHING`, v.run, names, ids, hashes)
		return err
	})
}

// compare compares a range entity by entity: the ids whose hashes differ
// or that one side lacks are read from both stores and compared as the
// middleware compares the read endpoint's responses.
func (v *verifier) compare(ctx context.Context, u verifyUnit) error {
	pgHashes, pgEntities, err := v.hashedRange(ctx, u.entity, u.lo, u.hi)
	if err != nil {
		return err
	}
	rows, err := v.pg.pool.Query(ctx, `SELECT entity_id, hash FROM verify_items WHERE run_id = $1 AND entity = $2 AND entity_id >= $3 AND entity_id < $4`,
		v.run, string(u.entity), u.lo, u.hi)
	if err != nil {
		return postgres.MapError(err)
	}
	ddbHashes := map[int64]int64{}
	var id, hash int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &hash}, func() error { ddbHashes[id] = hash; return nil }); err != nil {
		return postgres.MapError(err)
	}
	var suspects []int64
	for id, h := range pgHashes {
		if d, ok := ddbHashes[id]; !ok || d != h {
			suspects = append(suspects, id)
		}
	}
	for id := range ddbHashes {
		if _, ok := pgHashes[id]; !ok {
			suspects = append(suspects, id)
		}
	}
	slices.Sort(suspects)
	cmp := comparator.JSON(comparator.PostgresDynamoDB())
	var findings []VerifyFinding
	for _, id := range suspects {
		if err := v.limit.wait(ctx, 1); err != nil {
			return err
		}
		primary := entityResponse(pgEntities[id], pgEntities[id] != nil)
		shadowEntity, err := v.readDynamoDB(ctx, u.entity, id)
		if err != nil && !errors.Is(err, backends.ErrNotFound) {
			return err
		}
		shadow := entityResponse(shadowEntity, err == nil)
		res := cmp.Compare(primary, shadow)
		f := VerifyFinding{Entity: u.entity, ID: id, Signature: res.Signature()}
		switch {
		case primary.Status == http.StatusOK && shadow.Status != http.StatusOK:
			f.Kind = FindingMissing
		case primary.Status != http.StatusOK && shadow.Status == http.StatusOK:
			f.Kind = FindingExtra
		case res.Equal:
			f.Kind = FindingAbsorbed
		default:
			f.Kind = FindingChanged
		}
		for _, d := range res.Diffs {
			if !slices.Contains(f.Fields, d.Field) {
				f.Fields = append(f.Fields, d.Field)
			}
		}
		findings = append(findings, f)
	}
	return v.pg.finish(ctx, v.run, u, int64(len(pgHashes)+len(suspects)), func(tx pgx.Tx) error {
		for _, f := range findings {
			fields := f.Fields
			if fields == nil {
				fields = []string{}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO verify_findings (run_id, entity, entity_id, kind, signature, fields)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, v.run, string(f.Entity), f.ID, f.Kind, f.Signature, fields); err != nil {
				return err
			}
		}
		return nil
	})
}

func (v *verifier) readDynamoDB(ctx context.Context, e Entity, id int64) (any, error) {
	switch e {
	case EntityProduct:
		return v.ddb.Product(ctx, id)
	case EntityOrder:
		return v.ddb.Order(ctx, id)
	}
	return nil, fmt.Errorf("catalog: unknown entity %q", e)
}

// notFoundBody is what the read endpoints answer for a missing entity.
var notFoundBody = []byte("{\"error\":\"not found\"}\n")

// entityResponse is the read endpoint's response for an entity, or its 404.
func entityResponse(v any, found bool) comparator.Response {
	h := http.Header{"Content-Type": {"application/json"}}
	if !found {
		return comparator.Response{Status: http.StatusNotFound, Header: h, Body: notFoundBody}
	}
	return comparator.Response{Status: http.StatusOK, Header: h, Body: entityJSON(v)}
}

// VerifyResult returns the report of a finished run.
func VerifyResult(ctx context.Context, pg *PostgresStore, run int64) (VerifyReport, error) {
	r := VerifyReport{Run: run}
	var created, finished *time.Time
	err := pg.pool.QueryRow(ctx, `SELECT r.created_at, r.finished_at,
	(SELECT count(*) FROM verify_units WHERE run_id = r.id AND kind = 'postgres'),
	(SELECT count(*) FROM verify_units WHERE run_id = r.id AND kind = 'compare'),
	(SELECT coalesce(sum(entities) FILTER (WHERE segment < 0), 0) FROM verify_sums WHERE run_id = r.id),
	(SELECT coalesce(sum(entities) FILTER (WHERE segment >= 0), 0) FROM verify_sums WHERE run_id = r.id),
	(SELECT coalesce(sum(items), 0) FROM verify_sums WHERE run_id = r.id)
FROM verify_runs r WHERE r.id = $1`, run).Scan(&created, &finished, &r.Ranges, &r.Differing, &r.PostgresRows, &r.DynamoDBEntities, &r.DynamoDBItems)
	if err != nil {
		return r, postgres.MapError(err)
	}
	if created != nil && finished != nil {
		r.Elapsed = finished.Sub(*created)
	}
	rows, err := pg.pool.Query(ctx, `SELECT entity, entity_id, kind, signature, fields FROM verify_findings WHERE run_id = $1 ORDER BY entity, entity_id`, run)
	if err != nil {
		return r, postgres.MapError(err)
	}
	r.Findings, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (VerifyFinding, error) {
		var f VerifyFinding
		var e string
		err := row.Scan(&e, &f.ID, &f.Kind, &f.Signature, &f.Fields)
		f.Entity = Entity(e)
		return f, err
	})
	return r, postgres.MapError(err)
}

// rateLimit paces reads to a rate of entities per second; safe for
// concurrent use.
type rateLimit struct {
	perSecond float64
	mu        sync.Mutex
	next      time.Time
}

func newRateLimit(perSecond float64) *rateLimit { return &rateLimit{perSecond: perSecond} }

// wait returns when n more entities may be read.
func (l *rateLimit) wait(ctx context.Context, n int) error {
	if l.perSecond == 0 {
		return ctx.Err()
	}
	l.mu.Lock()
	now := time.Now()
	at := now
	if l.next.After(now) {
		at = l.next
	}
	l.next = at.Add(time.Duration(float64(n) / l.perSecond * float64(time.Second)))
	l.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return ctx.Err()
}
