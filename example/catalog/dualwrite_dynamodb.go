package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shadowread/shadowread/backends"
)

// The writes of modes dynamodb-first and dynamodb: DynamoDB is the source
// of truth. In dynamodb-first an intent goes to PostgreSQL's repair log
// (in DynamoDB) before the change, and PostgreSQL gets a copy of the
// entity's new state after it.

// maxVersionRetries bounds the retries of a price change that lost the race
// for the product's version to another one.
const maxVersionRetries = 8

func (w *DualWriter) placeOrderDynamoDB(ctx context.Context, mode WriteMode, customerID int64, skus []string, quantities []int32) (Order, error) {
	exists, err := w.ddb.customerExists(ctx, customerID)
	if err != nil {
		return Order{}, err
	}
	if !exists {
		return Order{}, fmt.Errorf("%w: %d", ErrUnknownCustomer, customerID)
	}
	variants := map[string]Variant{}
	currencies := map[string]bool{}
	for _, sku := range uniq(skus) {
		v, err := w.ddb.variantBySKU(ctx, sku)
		if err != nil {
			return Order{}, err
		}
		variants[sku] = v
		currencies[v.Currency] = true
	}
	if len(currencies) != 1 {
		return Order{}, fmt.Errorf("%w: the lines are priced in %d currencies; place one order per currency", ErrInvalid, len(currencies))
	}
	now := w.now().UTC().Truncate(time.Microsecond)
	o := Order{CustomerID: customerID, Status: StatusPending, CreatedAt: now, UpdatedAt: now}
	var total int64
	for i, sku := range skus {
		v := variants[sku]
		c, err := cents(v.Price.String())
		if err != nil {
			return Order{}, err
		}
		total += c * int64(quantities[i])
		o.Currency = v.Currency
		o.Lines = append(o.Lines, OrderLine{SKU: sku, Quantity: int(quantities[i]), UnitPrice: json.Number(decimal(c))})
	}
	o.Total = json.Number(decimal(total))
	if o.ID, err = w.ddb.nextOrderID(ctx); err != nil {
		return Order{}, err
	}
	intent, err := w.intend(ctx, mode, EntityOrder, o.ID, now)
	if err != nil {
		return Order{}, err
	}
	if err := w.ddb.putOrderIfNewer(ctx, o); err != nil {
		return Order{}, err // the intent replays as a no-op: DynamoDB has no such order
	}
	if mode.Writes(backends.Postgres) {
		w.replicateToPostgres(ctx, EntityOrder, o.ID, intent, func(ctx context.Context) error { return w.pg.upsertOrder(ctx, o) })
	}
	return o, nil
}

func (w *DualWriter) setPriceDynamoDB(ctx context.Context, mode WriteMode, productID int64, sku, price string) (Product, error) {
	c, err := cents(price)
	if err != nil {
		return Product{}, err
	}
	intent, err := w.intend(ctx, mode, EntityProduct, productID, w.now())
	if err != nil {
		return Product{}, err
	}
	var p Product
	for attempt := 0; ; attempt++ {
		if p, err = w.ddb.Product(ctx, productID); err != nil {
			return Product{}, err
		}
		i := variantIndex(p, sku)
		if i < 0 {
			return Product{}, fmt.Errorf("catalog: product %d has no variant %q: %w", productID, sku, backends.ErrNotFound)
		}
		old := p.UpdatedAt.UnixMicro()
		p.Variants[i].Price = json.Number(decimal(c))
		// Strictly later than the previous version, even if the clock is not.
		p.UpdatedAt = time.UnixMicro(max(w.now().UnixMicro(), old+1)).UTC()
		// The variant first, then the version: whoever reads the new
		// version finds the new price, and a write that loses the race for
		// the version retries on top of this one.
		if err := w.ddb.putVariant(ctx, p, sku); err != nil {
			return Product{}, err
		}
		err = w.ddb.casProductVersion(ctx, p, old)
		if err == nil {
			break
		}
		if !errors.Is(err, errVersionMoved) || attempt == maxVersionRetries {
			return Product{}, err
		}
	}
	if mode.Writes(backends.Postgres) {
		// The state after this write, read again: it has every price change
		// that moved the version before this one.
		w.replicateToPostgres(ctx, EntityProduct, productID, intent, func(ctx context.Context) error {
			return copyToPostgres(ctx, w.pg, w.ddb, EntityProduct, productID)
		})
	}
	return p, nil
}

// intend adds the write to PostgreSQL's repair log when the mode writes
// PostgreSQL after DynamoDB. A failure fails the write: without the intent,
// a PostgreSQL failure could lose it.
func (w *DualWriter) intend(ctx context.Context, mode WriteMode, e Entity, id int64, now time.Time) (string, error) {
	if !mode.Writes(backends.Postgres) {
		return "", nil
	}
	return w.ddb.addToPostgresOutbox(ctx, e, id, now)
}

// replicateToPostgres is [DualWriter.replicate] the other way round.
func (w *DualWriter) replicateToPostgres(ctx context.Context, e Entity, id int64, intent string, put func(context.Context) error) {
	ctx = context.WithoutCancel(ctx)
	err := w.writeSecond(ctx, backends.Postgres, e, put)
	if err != nil {
		if errors.Is(err, errBreakerOpen) {
			return
		}
		w.log.WarnContext(ctx, "catalog: postgres write failed; kept in the repair log",
			"entity", e, "id", id, "repair_log_key", intent, "err", err)
		if err := w.ddb.keepInPostgresOutbox(ctx, intent, err); err != nil {
			w.log.ErrorContext(ctx, "catalog: recording the failed attempt", "repair_log_key", intent, "err", err)
		}
		return
	}
	if err := w.ddb.removeFromPostgresOutbox(ctx, intent); err != nil {
		w.log.WarnContext(ctx, "catalog: removing a repair-log item", "repair_log_key", intent, "err", err)
	}
}

func variantIndex(p Product, sku string) int {
	for i, v := range p.Variants {
		if v.SKU == sku {
			return i
		}
	}
	return -1
}
