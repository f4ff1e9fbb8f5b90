package dualwrite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/shadowread/shadowread/example/internal/catalog"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/postgres"
)

// DefaultWriteTimeout bounds a write to the source of truth.
const DefaultWriteTimeout = 2 * time.Second

// DefaultSecondWriteBudget bounds the write to the second store: past it
// the write is left to the repair log and the request answers.
const DefaultSecondWriteBudget = 250 * time.Millisecond

// LineItem is one line of an order to place.
type LineItem struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// Writer writes the stores that the write mode ([WriteMode], from
// [WithWriteModes]; default [WriteBoth]) names, the source of truth first.
//
// In mode both it writes PostgreSQL, the source of truth, and then
// DynamoDB. The PostgreSQL transaction also adds a row to the repair log
// (the dynamodb_outbox table); the row is deleted once DynamoDB has the
// change. When the DynamoDB write fails, the request still succeeds: the
// failure is logged, counted (catalog.dualwrite.failures) and its row stays
// in the repair log for the repair package to replay. A crash between the
// two writes leaves the row as well, so no committed write is lost.
//
// In mode dynamodb-first the roles turn: DynamoDB is written first and
// PostgreSQL after it, with a repair log in DynamoDB for PostgreSQL's
// failures, so that reads can still roll back to PostgreSQL. Modes postgres
// and dynamodb write one store.
type Writer struct {
	pg       *catalog.PostgresStore
	ddb      *catalog.DynamoDBStore
	logs     *RepairLogs
	log      *slog.Logger
	timeout  time.Duration
	budget   time.Duration
	failures int
	openFor  time.Duration
	breakers map[backends.Name]*storeBreaker
	modes    WriteModeSource
	now      func() time.Time
	meter    metric.MeterProvider
	writes   metric.Int64Counter
	fails    metric.Int64Counter
}

// Option configures [New].
type Option func(*Writer)

// WithWriteTimeout bounds the write of each request to the source of truth
// (default [DefaultWriteTimeout]), and the read-back of what it stored,
// which runs on after the client has gone.
func WithWriteTimeout(d time.Duration) Option {
	if d <= 0 {
		panic(fmt.Sprintf("dualwrite: WithWriteTimeout(%v): the timeout must be positive, such as 2*time.Second", d))
	}
	return func(w *Writer) { w.timeout = d }
}

// WithSecondWriteBudget bounds the write of each request to the second
// store (DynamoDB in mode both, PostgreSQL in mode dynamodb-first) to d
// (default [DefaultSecondWriteBudget]). Past it the request answers and the
// change reaches the store through the repair log: a store that stalls
// delays writes by d at most.
func WithSecondWriteBudget(d time.Duration) Option {
	if d <= 0 {
		panic(fmt.Sprintf("dualwrite: WithSecondWriteBudget(%v): the budget must be positive, such as 250*time.Millisecond", d))
	}
	return func(w *Writer) { w.budget = d }
}

// WithBreaker sets the circuit breaker of the second store's writes: after
// failures writes in a row fail, the writes of the next openFor are not
// attempted at all and wait in the repair log; then one write probes the
// store, and its success closes the breaker (defaults
// [DefaultBreakerFailures] and [DefaultBreakerOpenFor]).
func WithBreaker(failures int, openFor time.Duration) Option {
	if failures < 1 || openFor <= 0 {
		panic(fmt.Sprintf("dualwrite: WithBreaker(%d, %v): want at least 1 failure and a positive pause, such as 5, time.Second", failures, openFor))
	}
	return func(w *Writer) { w.failures, w.openFor = failures, openFor }
}

// WithLogger sets the logger of failed DynamoDB writes (default
// slog.Default()).
func WithLogger(l *slog.Logger) Option {
	if l == nil {
		panic("dualwrite: WithLogger(nil): pass slog.New(slog.DiscardHandler) for no logs")
	}
	return func(w *Writer) { w.log = l }
}

// WithWriteModes sets where the write mode of each write comes from,
// typically [NewFlagWriteModes] (default: [WriteBoth] always).
func WithWriteModes(src WriteModeSource) Option {
	if src == nil {
		panic("dualwrite: WithWriteModes(nil): pass dualwrite.FixedWriteMode(dualwrite.WriteBoth), or leave the option out")
	}
	return func(w *Writer) { w.modes = src }
}

// WithMeterProvider sets where the dual-write counters go (default:
// the global meter provider).
func WithMeterProvider(mp metric.MeterProvider) Option {
	if mp == nil {
		panic("dualwrite: WithMeterProvider(nil): leave the option out for the global provider")
	}
	return func(w *Writer) { w.meter = mp }
}

// New returns a writer to both stores.
func New(pg *catalog.PostgresStore, ddb *catalog.DynamoDBStore, opts ...Option) *Writer {
	if pg == nil || ddb == nil {
		panic("dualwrite: New needs both stores")
	}
	w := &Writer{pg: pg, ddb: ddb, logs: NewRepairLogs(pg, ddb), log: slog.Default(), timeout: DefaultWriteTimeout,
		budget: DefaultSecondWriteBudget, failures: DefaultBreakerFailures, openFor: DefaultBreakerOpenFor,
		modes: FixedWriteMode(DefaultWriteMode), now: time.Now, meter: otel.GetMeterProvider()}
	for _, o := range opts {
		o(w)
	}
	w.breakers = map[backends.Name]*storeBreaker{}
	for _, b := range backends.Names() {
		w.breakers[b] = newStoreBreaker(b, w.failures, w.openFor, w.log)
	}
	w.instrument()
	return w
}

// instrument creates the writer's counters and the breakers' gauge:
//
//	catalog.dualwrite.writes    {write}  by entity and what the second store did: dynamodb (or postgres) = ok|failed|skipped
//	catalog.dualwrite.failures  {write}  writes kept in the repair log, by entity, store and reason (error|breaker_open)
//	catalog.breaker.state       {state}  by store: 0 closed, 1 half-open, 2 open
func (w *Writer) instrument() {
	m := w.meter.Meter(catalog.ScopeName)
	w.writes = counter(m, "catalog.dualwrite.writes", "{write}", "Writes committed to the source of truth, by entity and what the other store did (dynamodb=ok|failed|skipped, or postgres=ok|failed|skipped in write mode dynamodb-first); skipped: its circuit breaker was open.")
	w.fails = counter(m, "catalog.dualwrite.failures", "{write}", "Writes to the second store kept in its repair log, by entity, store and reason (error, or breaker_open: not attempted).")
	state, err := m.Int64ObservableGauge("catalog.breaker.state", metric.WithUnit("{state}"),
		metric.WithDescription("State of the circuit breaker of the writes to the store named by the store attribute: 0 closed, 1 half-open, 2 open (writes wait in the repair log without being attempted)."))
	if err != nil {
		otel.Handle(err)
		return
	}
	if _, err := m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		for _, b := range backends.Names() {
			o.ObserveInt64(state, w.breakers[b].state(), metric.WithAttributes(attribute.String("store", string(b))))
		}
		return nil
	}, state); err != nil {
		otel.Handle(err)
	}
}

// BreakerOpen reports whether the circuit breaker of the writes to store is
// open or half-open: its writes are not attempted now, or only as a probe.
func (w *Writer) BreakerOpen(store backends.Name) bool {
	b, ok := w.breakers[store]
	return ok && b.state() != breakerClosed
}

func counter(m metric.Meter, name, unit, desc string) metric.Int64Counter {
	c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
	if err != nil {
		otel.Handle(err)
	}
	return c
}

const maxLines = 50

// PlaceOrder creates a pending order for the customer at the variants'
// current prices and returns it as the source of truth stored it.
func (w *Writer) PlaceOrder(ctx context.Context, customerID int64, lines []LineItem) (catalog.Order, error) {
	if len(lines) == 0 || len(lines) > maxLines {
		return catalog.Order{}, fmt.Errorf("%w: an order has 1 to %d lines", catalog.ErrInvalid, maxLines)
	}
	skus := make([]string, len(lines))
	quantities := make([]int32, len(lines))
	for i, l := range lines {
		if l.SKU == "" || l.Quantity < 1 || l.Quantity > 1000 {
			return catalog.Order{}, fmt.Errorf("%w: line %d needs a sku and a quantity from 1 to 1000", catalog.ErrInvalid, i+1)
		}
		skus[i], quantities[i] = l.SKU, int32(l.Quantity)
	}
	mode := w.modes.WriteMode(ctx)
	if mode.Truth() == backends.DynamoDB {
		return w.placeOrderDynamoDB(ctx, mode, customerID, skus, quantities)
	}

	distinct := uniq(skus)
	var orderID, outboxID int64
	err := pgx.BeginFunc(ctx, w.pg.Pool(), func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM customers WHERE id = $1)`, customerID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("%w: %d", catalog.ErrUnknownCustomer, customerID)
		}
		var known int
		var currencies []string
		if err := tx.QueryRow(ctx, `SELECT count(*), coalesce(array_agg(DISTINCT currency), '{}')
FROM variants WHERE sku = ANY($1)`, distinct).Scan(&known, &currencies); err != nil {
			return err
		}
		if known != len(distinct) {
			return catalog.ErrUnknownSKU
		}
		if len(currencies) != 1 {
			return fmt.Errorf("%w: the lines are priced in %d currencies; place one order per currency", catalog.ErrInvalid, len(currencies))
		}
		err := tx.QueryRow(ctx, `INSERT INTO orders (customer_id, status, currency, total, created_at, updated_at)
VALUES ($1, 'pending', $2, 0, now(), now()) RETURNING id`, customerID, currencies[0]).Scan(&orderID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO order_lines (order_id, line, sku, quantity, unit_price)
SELECT $1, t.line, t.sku, t.quantity, v.price
FROM unnest($2::text[], $3::int[]) WITH ORDINALITY AS t (sku, quantity, line)
JOIN variants v ON v.sku = t.sku`, orderID, skus, quantities); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE orders SET total = (SELECT sum(quantity * unit_price) FROM order_lines WHERE order_id = $1)
WHERE id = $1`, orderID); err != nil {
			return err
		}
		if !mode.Writes(backends.DynamoDB) {
			return nil
		}
		outboxID, err = addToOutbox(ctx, tx, catalog.EntityOrder, orderID)
		return err
	})
	if err != nil {
		return catalog.Order{}, callerError(err)
	}
	// Committed: the rest of the write runs even if the client has hung
	// up, so the order reaches DynamoDB now rather than at the next repair
	// round. Until then DynamoDB's id counter would not know its id, and a
	// switch to writing DynamoDB first could hand the same id out again.
	readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.timeout)
	defer cancel()
	o, err := w.pg.Order(readCtx, orderID)
	if err != nil {
		return catalog.Order{}, err // committed; the repair log has it
	}
	if mode.Writes(backends.DynamoDB) {
		w.replicate(ctx, catalog.EntityOrder, orderID, outboxID, func(ctx context.Context) error {
			return w.ddb.PutOrderIfNewer(ctx, o)
		})
	}
	return o, nil
}

// priceText is a NUMERIC(12,2) price: up to ten digits, up to two decimals.
var priceText = regexp.MustCompile(`^[0-9]{1,10}(\.[0-9]{1,2})?$`)

// SetPrice changes a variant's price, moves the product's version forward
// and returns the product as the source of truth stored it.
func (w *Writer) SetPrice(ctx context.Context, productID int64, sku, price string) (catalog.Product, error) {
	if !priceText.MatchString(price) {
		return catalog.Product{}, fmt.Errorf("%w: price %q is not a decimal with at most two decimals", catalog.ErrInvalid, price)
	}
	mode := w.modes.WriteMode(ctx)
	if mode.Truth() == backends.DynamoDB {
		return w.setPriceDynamoDB(ctx, mode, productID, sku, price)
	}
	var outboxID int64
	err := pgx.BeginFunc(ctx, w.pg.Pool(), func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE variants SET price = $3 WHERE product_id = $1 AND sku = $2`, productID, sku, price)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("catalog: product %d has no variant %q: %w", productID, sku, backends.ErrNotFound)
		}
		// Strictly later than the previous version, even if the clock is not.
		if _, err := tx.Exec(ctx, `UPDATE products SET updated_at = greatest(now(), updated_at + interval '1 microsecond')
WHERE id = $1`, productID); err != nil {
			return err
		}
		if !mode.Writes(backends.DynamoDB) {
			return nil
		}
		outboxID, err = addToOutbox(ctx, tx, catalog.EntityProduct, productID)
		return err
	})
	if err != nil {
		return catalog.Product{}, callerError(err)
	}
	// Committed: the rest of the write runs even if the client has hung up
	// (replicate detaches itself).
	readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.timeout)
	defer cancel()
	p, err := w.pg.Product(readCtx, productID)
	if err != nil {
		return catalog.Product{}, err
	}
	if mode.Writes(backends.DynamoDB) {
		w.replicate(ctx, catalog.EntityProduct, productID, outboxID, func(ctx context.Context) error {
			_, err := w.ddb.PutProduct(ctx, p)
			return err
		})
	}
	return p, nil
}

// replicate runs the DynamoDB half of a write, detached from the request's
// cancellation so a client that hangs up does not leave it half done. On
// success the outbox row goes; on failure, past the budget or while the
// breaker is open it stays, and the request still succeeds: PostgreSQL has
// the change, and Repair will copy it.
func (w *Writer) replicate(ctx context.Context, e catalog.Entity, id, outboxID int64, put func(context.Context) error) {
	ctx = context.WithoutCancel(ctx)
	err := w.writeSecond(ctx, backends.DynamoDB, e, put)
	if err != nil {
		if errors.Is(err, errBreakerOpen) {
			return // not attempted: no attempt to record
		}
		w.log.WarnContext(ctx, "catalog: dynamodb write failed; kept in the repair log",
			"entity", e, "id", id, "repair_log_id", outboxID, "err", err)
		if err := w.logs.KeepInOutbox(ctx, outboxID, err); err != nil {
			w.log.ErrorContext(ctx, "catalog: recording the failed attempt", "repair_log_id", outboxID, "err", err)
		}
		return
	}
	if err := w.logs.RemoveFromOutbox(ctx, outboxID); err != nil {
		// Harmless: a repair replays the row, and the conditional write
		// makes the replay a no-op.
		w.log.WarnContext(ctx, "catalog: removing a repair-log row", "repair_log_id", outboxID, "err", err)
	}
}

// writeSecond writes the second store within the budget, through its
// breaker, and counts the outcome.
func (w *Writer) writeSecond(ctx context.Context, store backends.Name, e catalog.Entity, put func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, w.budget)
	defer cancel()
	err := w.breakers[store].run(ctx, put)
	entity := attribute.String("entity", string(e))
	outcome, reason := "ok", ""
	switch {
	case errors.Is(err, errBreakerOpen):
		outcome, reason = "skipped", "breaker_open"
	case err != nil:
		outcome, reason = "failed", "error"
	}
	w.writes.Add(ctx, 1, metric.WithAttributes(entity, attribute.String(string(store), outcome)))
	if reason != "" {
		w.fails.Add(ctx, 1, metric.WithAttributes(entity, attribute.String("store", string(store)), attribute.String("reason", reason)))
	}
	return err
}

// callerError keeps the caller's errors and maps the rest.
func callerError(err error) error {
	if errors.Is(err, catalog.ErrInvalid) || errors.Is(err, catalog.ErrUnknownCustomer) || errors.Is(err, catalog.ErrUnknownSKU) ||
		errors.Is(err, backends.ErrNotFound) {
		return err
	}
	return postgres.MapError(err)
}

func uniq(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := make([]string, 0, len(s))
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
