package dualwrite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shadowread/shadowread/example/internal/catalog"

	"github.com/shadowread/shadowread/backends"
)

// The writes of modes dynamodb-first and dynamodb: DynamoDB is the source
// of truth. In dynamodb-first an intent goes to PostgreSQL's repair log
// (in DynamoDB) before the change, and PostgreSQL gets a copy of the
// entity's new state after it.

// maxVersionRetries bounds the retries of a price change that lost the race
// for the product's version to another one.
const maxVersionRetries = 8

func (w *Writer) placeOrderDynamoDB(ctx context.Context, mode WriteMode, customerID int64, skus []string, quantities []int32) (catalog.Order, error) {
	exists, err := w.ddb.CustomerExists(ctx, customerID)
	if err != nil {
		return catalog.Order{}, err
	}
	if !exists {
		return catalog.Order{}, fmt.Errorf("%w: %d", catalog.ErrUnknownCustomer, customerID)
	}
	variants := map[string]catalog.Variant{}
	currencies := map[string]bool{}
	for _, sku := range uniq(skus) {
		v, err := w.ddb.VariantBySKU(ctx, sku)
		if err != nil {
			return catalog.Order{}, err
		}
		variants[sku] = v
		currencies[v.Currency] = true
	}
	if len(currencies) != 1 {
		return catalog.Order{}, fmt.Errorf("%w: the lines are priced in %d currencies; place one order per currency", catalog.ErrInvalid, len(currencies))
	}
	now := w.now().UTC().Truncate(time.Microsecond)
	o := catalog.Order{CustomerID: customerID, Status: catalog.StatusPending, CreatedAt: now, UpdatedAt: now}
	var total int64
	for i, sku := range skus {
		v := variants[sku]
		c, err := catalog.Cents(v.Price.String())
		if err != nil {
			return catalog.Order{}, err
		}
		total += c * int64(quantities[i])
		o.Currency = v.Currency
		o.Lines = append(o.Lines, catalog.OrderLine{SKU: sku, Quantity: int(quantities[i]), UnitPrice: json.Number(catalog.Decimal(c))})
	}
	o.Total = json.Number(catalog.Decimal(total))
	if o.ID, err = w.ddb.NextOrderID(ctx); err != nil {
		return catalog.Order{}, err
	}
	intent, err := w.intend(ctx, mode, catalog.EntityOrder, o.ID, now)
	if err != nil {
		return catalog.Order{}, err
	}
	if err := w.ddb.PutOrderIfNewer(ctx, o); err != nil {
		return catalog.Order{}, err // the intent replays as a no-op: DynamoDB has no such order
	}
	if mode.Writes(backends.Postgres) {
		w.replicateToPostgres(ctx, catalog.EntityOrder, o.ID, intent, func(ctx context.Context) error { return w.pg.UpsertOrder(ctx, o) })
	}
	return o, nil
}

func (w *Writer) setPriceDynamoDB(ctx context.Context, mode WriteMode, productID int64, sku, price string) (catalog.Product, error) {
	c, err := catalog.Cents(price)
	if err != nil {
		return catalog.Product{}, err
	}
	intent, err := w.intend(ctx, mode, catalog.EntityProduct, productID, w.now())
	if err != nil {
		return catalog.Product{}, err
	}
	// The change is two items, the variant and then the version: once it
	// has begun it runs to its end even if the client hangs up, or the
	// product would keep a new price under its old version.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.timeout)
	defer cancel()
	var p catalog.Product
	for attempt := 0; ; attempt++ {
		if p, err = w.ddb.Product(ctx, productID); err != nil {
			return catalog.Product{}, err
		}
		i := variantIndex(p, sku)
		if i < 0 {
			return catalog.Product{}, fmt.Errorf("catalog: product %d has no variant %q: %w", productID, sku, backends.ErrNotFound)
		}
		old := p.UpdatedAt.UnixMicro()
		p.Variants[i].Price = json.Number(catalog.Decimal(c))
		// Strictly later than the previous version, even if the clock is not.
		p.UpdatedAt = time.UnixMicro(max(w.now().UnixMicro(), old+1)).UTC()
		// The variant first, then the version: whoever reads the new
		// version finds the new price, and a write that loses the race for
		// the version retries on top of this one.
		if err := w.ddb.PutVariant(ctx, p, sku); err != nil {
			return catalog.Product{}, err
		}
		err = w.ddb.SetProductVersion(ctx, p, old)
		if err == nil {
			break
		}
		if !errors.Is(err, catalog.ErrVersionMoved) || attempt == maxVersionRetries {
			return catalog.Product{}, err
		}
	}
	if mode.Writes(backends.Postgres) {
		// The state after this write, read again: it has every price change
		// that moved the version before this one.
		w.replicateToPostgres(ctx, catalog.EntityProduct, productID, intent, func(ctx context.Context) error {
			return catalog.CopyToPostgres(ctx, w.pg, w.ddb, catalog.EntityProduct, productID)
		})
	}
	return p, nil
}

// intend adds the write to PostgreSQL's repair log when the mode writes
// PostgreSQL after DynamoDB. A failure fails the write: without the intent,
// a PostgreSQL failure could lose it.
func (w *Writer) intend(ctx context.Context, mode WriteMode, e catalog.Entity, id int64, now time.Time) (PostgresEntry, error) {
	if !mode.Writes(backends.Postgres) {
		return PostgresEntry{}, nil
	}
	return w.logs.addToPostgresOutbox(ctx, e, id, now)
}

// replicateToPostgres is [Writer.replicate] the other way round.
func (w *Writer) replicateToPostgres(ctx context.Context, e catalog.Entity, id int64, intent PostgresEntry, put func(context.Context) error) {
	ctx = context.WithoutCancel(ctx)
	err := w.writeSecond(ctx, backends.Postgres, e, put)
	if err != nil {
		if errors.Is(err, errBreakerOpen) {
			return
		}
		w.log.WarnContext(ctx, "catalog: postgres write failed; kept in the repair log",
			"entity", e, "id", id, "repair_log_key", intent.SK, "err", err)
		if err := w.logs.KeepInPostgresOutbox(ctx, intent, err); err != nil {
			w.log.ErrorContext(ctx, "catalog: recording the failed attempt", "repair_log_key", intent.SK, "err", err)
		}
		return
	}
	if err := w.logs.RemoveFromPostgresOutbox(ctx, intent.SK); err != nil {
		w.log.WarnContext(ctx, "catalog: removing a repair-log item", "repair_log_key", intent.SK, "err", err)
	}
}

func variantIndex(p catalog.Product, sku string) int {
	for i, v := range p.Variants {
		if v.SKU == sku {
			return i
		}
	}
	return -1
}
