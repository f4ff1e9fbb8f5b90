package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/verify"
)

// Drift is one difference the demo puts between the two stores after the
// backfill, as real migrations accumulate them.
type Drift struct {
	// What went wrong, in a few words.
	What string
	// Benign marks a representation difference that is not a change of
	// value: the comparator preset must absorb it, and the report must not
	// show it. The others are real differences the report must find.
	Benign bool
	// Repaired marks a lost update that a later write repaired before the
	// re-check: no write explains the shadow's first answer, so it must be
	// a mismatch whose re-check says repaired, never a transient.
	Repaired bool
	// Detail names the item and the values.
	Detail string
	// Route is the route pattern that shows it; Paths are the request paths
	// whose reads see it, none for drift on keys no request reads.
	Route string
	Paths []string
	// Entity and ID name the entity, as verification reports it;
	// Problem, when set, is the problem verification must report for it
	// (a key, not the body; an unreadable item).
	Entity  catalog.Entity
	ID      int64
	Problem string
}

// Victims are the keys the drift was put on, for the load to read.
type Victims struct {
	Products  []int64
	Orders    []catalog.Order
	Customers []int64
}

// Sampler reports whether the flags shadow a customer's requests on a route.
type Sampler func(route string, customerID int64) bool

// injector puts drift on keys that readers use: outside the keys the load's
// writers change (so that no write repairs or races it), and, for orders,
// of customers the flags sample (sampling is sticky per customer, so an
// order of an unsampled customer would never be compared).
type injector struct {
	pg         *catalog.PostgresStore
	ddb        *catalog.DynamoDBStore
	rng        *rand.Rand
	keys       *Keys
	sampled    Sampler
	used       map[int64]bool // products and orders already drifted
	usedOrders map[int64]bool
	now        time.Time
}

// InjectDrift puts the demo's drift into the stores. Real differences: items
// missing in DynamoDB, a price stored through a float32, items whose last
// update never reached DynamoDB, an updated_at cut to whole seconds.
// Representation differences that must not count: timestamps kept in
// milliseconds, and prices such as 49.90 that DynamoDB stores as 49.9.
func InjectDrift(ctx context.Context, pg *catalog.PostgresStore, ddb *catalog.DynamoDBStore, keys *Keys, sampled Sampler, seed uint64) ([]Drift, Victims, error) {
	in := &injector{pg: pg, ddb: ddb, rng: rand.New(rand.NewPCG(seed, 7)), keys: keys, sampled: sampled,
		used: map[int64]bool{}, usedOrders: map[int64]bool{}, now: time.Now().UTC().Truncate(time.Microsecond)}
	steps := []struct {
		n    int
		step func(context.Context) (Drift, error)
	}{
		{3, in.missingProduct},
		{2, in.float32Price},
		{2, in.staleProduct},
		{2, in.secondsTimestamp},
		{2, in.missingOrder},
		{2, in.staleOrder},
		{3, in.millisecondTimestamps},
		{3, in.trailingZeroPrice},
	}
	var drifts []Drift
	for _, s := range steps {
		for range s.n {
			d, err := s.step(ctx)
			if err != nil {
				return drifts, Victims{}, err
			}
			drifts = append(drifts, d)
		}
	}
	v := Victims{}
	for id := range in.used {
		v.Products = append(v.Products, id)
	}
	for id := range in.usedOrders {
		o, err := pg.Order(ctx, id)
		if err != nil {
			return drifts, v, err
		}
		v.Orders = append(v.Orders, o)
		v.Customers = append(v.Customers, o.CustomerID)
	}
	return drifts, v, nil
}

// product picks an unused reader product that satisfies ok.
func (in *injector) product(ctx context.Context, ok func(catalog.Product) bool) (catalog.Product, error) {
	for range 10_000 {
		id := in.keys.ReaderProducts[in.rng.IntN(len(in.keys.ReaderProducts))]
		if in.used[id] {
			continue
		}
		p, err := in.pg.Product(ctx, id)
		if err != nil {
			return p, err
		}
		if ok(p) {
			in.used[id] = true
			return p, nil
		}
	}
	return catalog.Product{}, fmt.Errorf("demo: no product fits the drift; is the catalog seeded?")
}

// order picks the newest unused order with the status of a sampled reader
// customer: the first page of the customer's list shows it.
func (in *injector) order(ctx context.Context, status string) (catalog.Order, error) {
	for range 10_000 {
		customer := in.keys.ReaderCustomers[in.rng.IntN(len(in.keys.ReaderCustomers))]
		if !in.sampled(catalog.RouteOrder, customer) || !in.sampled(catalog.RouteCustomerOrders, customer) {
			continue
		}
		orders, err := in.pg.CustomerOrders(ctx, customer, catalog.Cursor{}, catalog.DefaultPageSize)
		if err != nil {
			return catalog.Order{}, err
		}
		for _, o := range orders {
			if o.Status == status && !in.usedOrders[o.ID] {
				in.usedOrders[o.ID] = true
				return o, nil
			}
		}
	}
	return catalog.Order{}, fmt.Errorf("demo: no sampled customer has a %s order; is the catalog seeded?", status)
}

func productDrift(p catalog.Product, what, detail string, benign bool) Drift {
	return Drift{What: what, Benign: benign, Detail: detail, Route: catalog.RouteProduct,
		Paths: []string{"/products/" + strconv.FormatInt(p.ID, 10)}, Entity: catalog.EntityProduct, ID: p.ID}
}

func orderDrift(o catalog.Order, what, detail string) Drift {
	return Drift{What: what, Detail: detail, Route: catalog.RouteOrder, Paths: []string{
		"/orders/" + strconv.FormatInt(o.ID, 10),
		"/customers/" + strconv.FormatInt(o.CustomerID, 10) + "/orders",
	}, Entity: catalog.EntityOrder, ID: o.ID}
}

func (in *injector) missingProduct(ctx context.Context) (Drift, error) {
	p, err := in.product(ctx, func(catalog.Product) bool { return true })
	if err != nil {
		return Drift{}, err
	}
	keys := []map[string]types.AttributeValue{catalog.ProductKey(p.ID)}
	for _, v := range p.Variants {
		keys = append(keys, catalog.VariantKey(p.ID, v.SKU))
	}
	for _, k := range keys {
		if err := in.delete(ctx, k); err != nil {
			return Drift{}, err
		}
	}
	return productDrift(p, "missing in DynamoDB", fmt.Sprintf("product %d and its %d variants", p.ID, len(p.Variants)), false), nil
}

func (in *injector) float32Price(ctx context.Context) (Drift, error) {
	var changed string
	p, err := in.product(ctx, func(p catalog.Product) bool {
		changed = throughFloat32(p.Variants[0].Price.String())
		return changed != ""
	})
	if err != nil {
		return Drift{}, err
	}
	v := p.Variants[0]
	if err := in.update(ctx, catalog.VariantKey(p.ID, v.SKU), "SET price = :v", &types.AttributeValueMemberN{Value: changed}); err != nil {
		return Drift{}, err
	}
	return productDrift(p, "price through a float32", fmt.Sprintf("product %d, %s: %s stored as %s", p.ID, v.SKU, v.Price, changed), false), nil
}

// throughFloat32 is what a price looks like after a float32 on its way,
// or "" when the float32 holds it exactly (49.50, 12.25).
func throughFloat32(price string) string {
	f, err := strconv.ParseFloat(price, 64)
	if err != nil {
		return ""
	}
	s := strconv.FormatFloat(float64(float32(f)), 'f', -1, 64)
	if g, _ := strconv.ParseFloat(s, 64); g == f {
		return ""
	}
	return s
}

func (in *injector) staleProduct(ctx context.Context) (Drift, error) {
	p, err := in.product(ctx, func(catalog.Product) bool { return true })
	if err != nil {
		return Drift{}, err
	}
	name := p.Name + " (new season)"
	if _, err := in.pg.Pool().Exec(ctx, `UPDATE products SET name = $2, updated_at = $3 WHERE id = $1`, p.ID, name, in.now); err != nil {
		return Drift{}, err
	}
	return productDrift(p, "stale: update never reached DynamoDB",
		fmt.Sprintf("product %d renamed to %q in PostgreSQL only", p.ID, name), false), nil
}

func (in *injector) secondsTimestamp(ctx context.Context) (Drift, error) {
	p, err := in.product(ctx, func(p catalog.Product) bool { return p.UpdatedAt.Nanosecond() >= int(time.Millisecond) })
	if err != nil {
		return Drift{}, err
	}
	cut := p.UpdatedAt.Truncate(time.Second)
	if err := in.update(ctx, catalog.ProductKey(p.ID), "SET updated_at = :v", catalog.TimeAttribute(cut)); err != nil {
		return Drift{}, err
	}
	return productDrift(p, "updated_at cut to seconds",
		fmt.Sprintf("product %d: %s stored as %s", p.ID, stamp(p.UpdatedAt), stamp(cut)), false), nil
}

func (in *injector) millisecondTimestamps(ctx context.Context) (Drift, error) {
	p, err := in.product(ctx, func(p catalog.Product) bool {
		return p.CreatedAt.Nanosecond()%int(time.Millisecond) != 0 && p.UpdatedAt.Nanosecond()%int(time.Millisecond) != 0
	})
	if err != nil {
		return Drift{}, err
	}
	created, updated := p.CreatedAt.Truncate(time.Millisecond), p.UpdatedAt.Truncate(time.Millisecond)
	if err := in.update(ctx, catalog.ProductKey(p.ID), "SET created_at = :v, updated_at = :w", catalog.TimeAttribute(created), catalog.TimeAttribute(updated)); err != nil {
		return Drift{}, err
	}
	return productDrift(p, "timestamps in milliseconds",
		fmt.Sprintf("product %d: %s stored as %s", p.ID, stamp(p.UpdatedAt), stamp(updated)), true), nil
}

func (in *injector) trailingZeroPrice(ctx context.Context) (Drift, error) {
	p, err := in.product(ctx, func(p catalog.Product) bool { return strings.HasSuffix(p.Variants[0].Price.String(), "0") })
	if err != nil {
		return Drift{}, err
	}
	price := p.Variants[0].Price.String()
	normalised := strings.TrimSuffix(strings.TrimRight(price, "0"), ".")
	return productDrift(p, "price with a trailing zero",
		fmt.Sprintf("product %d: %s, which DynamoDB stores as %s", p.ID, price, normalised), true), nil
}

func (in *injector) missingOrder(ctx context.Context) (Drift, error) {
	o, err := in.order(ctx, catalog.StatusDelivered)
	if err != nil {
		return Drift{}, err
	}
	if err := in.delete(ctx, catalog.OrderKey(o)); err != nil {
		return Drift{}, err
	}
	return orderDrift(o, "missing in DynamoDB", fmt.Sprintf("order %d of customer %d", o.ID, o.CustomerID)), nil
}

func (in *injector) staleOrder(ctx context.Context) (Drift, error) {
	o, err := in.order(ctx, catalog.StatusPaid)
	if err != nil {
		return Drift{}, err
	}
	if _, err := in.pg.Pool().Exec(ctx, `UPDATE orders SET status = 'shipped', updated_at = $2 WHERE id = $1`, o.ID, in.now); err != nil {
		return Drift{}, err
	}
	return orderDrift(o, "stale: update never reached DynamoDB",
		fmt.Sprintf("order %d of customer %d shipped in PostgreSQL only", o.ID, o.CustomerID)), nil
}

func (in *injector) delete(ctx context.Context, key map[string]types.AttributeValue) error {
	_, err := in.ddb.Client().DeleteItem(ctx, &awsddb.DeleteItemInput{TableName: aws.String(in.ddb.Table()), Key: key})
	return err
}

// update sets attributes of an item; values are :v, :w, ... in order.
func (in *injector) update(ctx context.Context, key map[string]types.AttributeValue, expr string, values ...types.AttributeValue) error {
	names := []string{":v", ":w"}
	attrs := map[string]types.AttributeValue{}
	for i, v := range values {
		attrs[names[i]] = v
	}
	in2 := &awsddb.UpdateItemInput{
		TableName: aws.String(in.ddb.Table()), Key: key,
		UpdateExpression: aws.String(expr), ExpressionAttributeValues: attrs,
		ConditionExpression: aws.String("attribute_exists(PK)"),
	}
	if strings.Contains(expr, "#s") { // status is a reserved word
		in2.ExpressionAttributeNames = map[string]string{"#s": "status"}
	}
	_, err := in.ddb.Client().UpdateItem(ctx, in2)
	return err
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// InjectUnreadDrift puts drift on cold keys, which no request reads: only a
// verification of the whole stores can find it. A product and an order
// missing in DynamoDB, an order whose status changed in DynamoDB only, and
// an order that exists in DynamoDB alone.
func InjectUnreadDrift(ctx context.Context, pg *catalog.PostgresStore, ddb *catalog.DynamoDBStore, keys *Keys) ([]Drift, error) {
	in := &injector{pg: pg, ddb: ddb}
	unread := func(e catalog.Entity, id int64, what, detail string) Drift {
		return Drift{What: what + " (unread)", Detail: detail, Entity: e, ID: id}
	}
	var drifts []Drift

	p, err := pg.Product(ctx, keys.ColdProducts[0])
	if err != nil {
		return nil, err
	}
	if err := in.delete(ctx, catalog.ProductKey(p.ID)); err != nil {
		return nil, err
	}
	for _, v := range p.Variants {
		if err := in.delete(ctx, catalog.VariantKey(p.ID, v.SKU)); err != nil {
			return nil, err
		}
	}
	drifts = append(drifts, unread(catalog.EntityProduct, p.ID, "missing in DynamoDB", fmt.Sprintf("product %d and its %d variants", p.ID, len(p.Variants))))

	missing, err := pg.Order(ctx, keys.ColdOrders[0].ID)
	if err != nil {
		return nil, err
	}
	if err := in.delete(ctx, catalog.OrderKey(missing)); err != nil {
		return nil, err
	}
	drifts = append(drifts, unread(catalog.EntityOrder, missing.ID, "missing in DynamoDB", fmt.Sprintf("order %d of customer %d", missing.ID, missing.CustomerID)))

	changed, err := pg.Order(ctx, keys.ColdOrders[1].ID)
	if err != nil {
		return nil, err
	}
	status := catalog.StatusCancelled
	if changed.Status == status {
		status = catalog.StatusDelivered
	}
	if err := in.update(ctx, catalog.OrderKey(changed), "SET #s = :v", &types.AttributeValueMemberS{Value: status}); err != nil {
		return nil, err
	}
	drifts = append(drifts, unread(catalog.EntityOrder, changed.ID, "status changed in DynamoDB only",
		fmt.Sprintf("order %d: %s in PostgreSQL, %s in DynamoDB", changed.ID, changed.Status, status)))

	// An order PostgreSQL never had: a copy of a cold order under an id far
	// above the others.
	extra, err := pg.Order(ctx, keys.ColdOrders[2].ID)
	if err != nil {
		return nil, err
	}
	extra.ID += 1_000_000_000
	if err := in.putOrder(ctx, extra); err != nil {
		return nil, err
	}
	drifts = append(drifts, unread(catalog.EntityOrder, extra.ID, "extra in DynamoDB", fmt.Sprintf("order %d of customer %d, in DynamoDB alone", extra.ID, extra.CustomerID)))
	more, err := in.keyAndTypeDrift(ctx, keys)
	if err != nil {
		return nil, err
	}
	return append(drifts, more...), nil
}

// keyAndTypeDrift puts, on cold keys, the drift a body comparison cannot
// see: an order moved into another customer's partition (its customer's
// list loses it, the read by id does not), a second copy of an order, an
// attribute of the wrong type, a customer's profile lost, and a variant
// item whose product DynamoDB never had.
func (in *injector) keyAndTypeDrift(ctx context.Context, keys *Keys) ([]Drift, error) {
	if len(keys.ColdOrders) < 6 || len(keys.ColdCustomers) < 2 {
		return nil, fmt.Errorf("demo: %d cold orders and %d cold customers, want 6 and 2 for the key drift", len(keys.ColdOrders), len(keys.ColdCustomers))
	}
	drift := func(e catalog.Entity, id int64, problem, what, detail string) Drift {
		return Drift{What: what + " (unread)", Detail: detail, Entity: e, ID: id, Problem: problem}
	}
	var drifts []Drift
	moved, err := in.pg.Order(ctx, keys.ColdOrders[3].ID)
	if err != nil {
		return nil, err
	}
	other := keys.ColdCustomers[0]
	if other == moved.CustomerID {
		other = keys.ColdCustomers[1]
	}
	if err := in.copyItem(ctx, catalog.OrderKey(moved), true, func(item map[string]types.AttributeValue) {
		item["PK"] = &types.AttributeValueMemberS{Value: "CUSTOMER#" + strconv.FormatInt(other, 10)}
	}); err != nil {
		return nil, err
	}
	drifts = append(drifts, drift(catalog.EntityOrder, moved.ID, verify.ProblemKeys, "wrong partition key",
		fmt.Sprintf("order %d of customer %d filed under customer %d", moved.ID, moved.CustomerID, other)))

	dup, err := in.pg.Order(ctx, keys.ColdOrders[4].ID)
	if err != nil {
		return nil, err
	}
	if err := in.copyItem(ctx, catalog.OrderKey(dup), false, func(item map[string]types.AttributeValue) {
		item["SK"] = &types.AttributeValueMemberS{Value: item["SK"].(*types.AttributeValueMemberS).Value + "#copy"}
	}); err != nil {
		return nil, err
	}
	drifts = append(drifts, drift(catalog.EntityOrder, dup.ID, verify.ProblemDuplicate, "duplicate item", fmt.Sprintf("order %d twice", dup.ID)))

	typed, err := in.pg.Order(ctx, keys.ColdOrders[5].ID)
	if err != nil {
		return nil, err
	}
	if err := in.copyItem(ctx, catalog.OrderKey(typed), false, func(item map[string]types.AttributeValue) {
		item["total"] = &types.AttributeValueMemberS{Value: typed.Total.String()}
	}); err != nil {
		return nil, err
	}
	drifts = append(drifts, drift(catalog.EntityOrder, typed.ID, verify.ProblemUnreadable, "wrong attribute type",
		fmt.Sprintf("order %d: total %s stored as a String", typed.ID, typed.Total)))

	lost := keys.ColdCustomers[len(keys.ColdCustomers)-1]
	if err := in.delete(ctx, catalog.CustomerKey(lost)); err != nil {
		return nil, err
	}
	drifts = append(drifts, drift(catalog.EntityCustomer, lost, verify.ProblemMissing, "missing in DynamoDB", fmt.Sprintf("customer %d's profile", lost)))

	const orphan = 2_000_000_000
	variant := map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "PRODUCT#" + strconv.Itoa(orphan)}, "SK": &types.AttributeValueMemberS{Value: "VARIANT#ORPHAN"},
		"GSI1PK": &types.AttributeValueMemberS{Value: "SKU#ORPHAN"}, "GSI1SK": &types.AttributeValueMemberS{Value: "VARIANT"},
		"sku": &types.AttributeValueMemberS{Value: "ORPHAN"}, "name": &types.AttributeValueMemberS{Value: "Orphan"},
		"price": &types.AttributeValueMemberN{Value: "1"}, "currency": &types.AttributeValueMemberS{Value: "EUR"},
	}
	if _, err := in.ddb.Client().PutItem(ctx, &awsddb.PutItemInput{TableName: aws.String(in.ddb.Table()), Item: variant}); err != nil {
		return nil, err
	}
	drifts = append(drifts, drift(catalog.EntityProduct, orphan, verify.ProblemOrphan, "orphan item", "a variant of a product neither store has"))
	return drifts, nil
}

// copyItem writes a changed copy of an item, deleting the original when
// move is set.
func (in *injector) copyItem(ctx context.Context, key map[string]types.AttributeValue, move bool, change func(map[string]types.AttributeValue)) error {
	out, err := in.ddb.Client().GetItem(ctx, &awsddb.GetItemInput{TableName: aws.String(in.ddb.Table()), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return err
	}
	if out.Item == nil {
		return fmt.Errorf("demo: no item %v to copy", key)
	}
	change(out.Item)
	if move {
		if err := in.delete(ctx, key); err != nil {
			return err
		}
	}
	_, err = in.ddb.Client().PutItem(ctx, &awsddb.PutItemInput{TableName: aws.String(in.ddb.Table()), Item: out.Item})
	return err
}

// putOrder writes an order's item as the catalog lays it out.
func (in *injector) putOrder(ctx context.Context, o catalog.Order) error {
	item := catalog.OrderKey(o)
	item["GSI1PK"] = &types.AttributeValueMemberS{Value: "ORDER#" + strconv.FormatInt(o.ID, 10)}
	item["GSI1SK"] = &types.AttributeValueMemberS{Value: "ORDER"}
	item["type"] = &types.AttributeValueMemberS{Value: "order"}
	item["id"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(o.ID, 10)}
	item["customer_id"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(o.CustomerID, 10)}
	item["status"] = &types.AttributeValueMemberS{Value: o.Status}
	item["currency"] = &types.AttributeValueMemberS{Value: o.Currency}
	item["total"] = &types.AttributeValueMemberN{Value: o.Total.String()}
	item["created_at"] = catalog.TimeAttribute(o.CreatedAt)
	item["updated_at"] = catalog.TimeAttribute(o.UpdatedAt)
	var lines []types.AttributeValue
	for _, l := range o.Lines {
		lines = append(lines, &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"sku":        &types.AttributeValueMemberS{Value: l.SKU},
			"quantity":   &types.AttributeValueMemberN{Value: strconv.Itoa(l.Quantity)},
			"unit_price": &types.AttributeValueMemberN{Value: l.UnitPrice.String()},
		}})
	}
	item["lines"] = &types.AttributeValueMemberL{Value: lines}
	_, err := in.ddb.Client().PutItem(ctx, &awsddb.PutItemInput{TableName: aws.String(in.ddb.Table()), Item: item})
	return err
}
