package catalog

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The single-table design: every entity lives in one table with a generic
// composite key (PK, SK), and one global secondary index (GSI1) serves the
// access patterns the base table cannot (an order by id, a variant by SKU
// for the writes that run on DynamoDB alone):
//
//	entity    PK              SK                                GSI1PK      GSI1SK
//	product   PRODUCT#<id>    META
//	variant   PRODUCT#<id>    VARIANT#<sku>                     SKU#<sku>   VARIANT
//	customer  CUSTOMER#<id>   PROFILE
//	order     CUSTOMER#<id>   ORDER#<created_at>#<order id>     ORDER#<id>  ORDER
//	counter   COUNTER         ORDER_ID
//	repair    OUTBOX#postgres <created_at>#<entity>#<id>#<n>
//
// A product with its variants is one Query on PRODUCT#<id>; a customer's
// orders newest first are a Query on CUSTOMER#<id> in descending SK order;
// an order by id is a Query on GSI1. created_at in the sort key has a fixed
// width (microseconds, UTC) and the order id is zero-padded, so the sort key
// orders exactly as PostgreSQL's (created_at DESC, id DESC).
//
// Timestamps are Numbers of microseconds since the epoch: exact, like
// timestamptz, and comparable in a condition expression, which the
// conditional writes on updated_at rely on. Prices are Numbers; DynamoDB
// normalises them (12.50 is stored and returned as 12.5).
const (
	attrPK     = "PK"
	attrSK     = "SK"
	attrGSI1PK = "GSI1PK"
	attrGSI1SK = "GSI1SK"
	// GSI1 is the index of orders by id.
	GSI1 = "GSI1"

	skMeta         = "META"
	skProfile      = "PROFILE"
	skuGSI1PKPfx   = "SKU#"
	gsi1VariantSK  = "VARIANT"
	skVariantPfx   = "VARIANT#"
	skOrderPfx     = "ORDER#"
	gsi1OrderSK    = "ORDER"
	skTimeLayout   = "2006-01-02T15:04:05.000000Z"
	orderIDDigits  = 20
	attrUpdatedAt  = "updated_at"
	productPKPfx   = "PRODUCT#"
	customerPKPfx  = "CUSTOMER#"
	orderGSI1PKPfx = "ORDER#"
)

// ProductKey is the key of a product's META item.
func ProductKey(id int64) map[string]types.AttributeValue {
	return key(productPK(id), skMeta)
}

// VariantKey is the key of a variant's item.
func VariantKey(productID int64, sku string) map[string]types.AttributeValue {
	return key(productPK(productID), skVariantPfx+sku)
}

// OrderKey is the key of an order's item; the sort key holds its creation
// time, so the key needs the order, not only its id.
func OrderKey(o Order) map[string]types.AttributeValue {
	return key(customerPK(o.CustomerID), orderSK(o.CreatedAt, o.ID))
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrPK: avS(pk), attrSK: avS(sk)}
}

// CustomerKey is the key of a customer's profile item.
func CustomerKey(id int64) map[string]types.AttributeValue {
	return key(customerPK(id), skProfile)
}

func productPK(id int64) string  { return productPKPfx + strconv.FormatInt(id, 10) }
func customerPK(id int64) string { return customerPKPfx + strconv.FormatInt(id, 10) }
func orderGSI1PK(id int64) string {
	return orderGSI1PKPfx + strconv.FormatInt(id, 10)
}

func orderSK(createdAt time.Time, id int64) string {
	return fmt.Sprintf("%s%s#%0*d", skOrderPfx, createdAt.UTC().Format(skTimeLayout), orderIDDigits, id)
}

func avS(v string) types.AttributeValue  { return &types.AttributeValueMemberS{Value: v} }
func avN(v string) types.AttributeValue  { return &types.AttributeValueMemberN{Value: v} }
func avInt(v int64) types.AttributeValue { return avN(strconv.FormatInt(v, 10)) }

// TimeAttribute is a timestamp as the table keeps it: a Number of
// microseconds since the epoch.
func TimeAttribute(t time.Time) types.AttributeValue { return avInt(t.UnixMicro()) }

// productItems returns the META item and one item per variant. Every item
// carries the product's updated_at, the version conditional writes compare.
func productItems(p Product) []map[string]types.AttributeValue {
	items := make([]map[string]types.AttributeValue, 0, 1+len(p.Variants))
	meta := ProductKey(p.ID)
	meta["type"] = avS("product")
	meta["id"] = avInt(p.ID)
	meta["name"] = avS(p.Name)
	meta["description"] = avS(p.Description)
	meta["category"] = avS(p.Category)
	meta["created_at"] = TimeAttribute(p.CreatedAt)
	meta[attrUpdatedAt] = TimeAttribute(p.UpdatedAt)
	items = append(items, meta)
	for _, v := range p.Variants {
		item := VariantKey(p.ID, v.SKU)
		item[attrGSI1PK] = avS(skuGSI1PKPfx + v.SKU)
		item[attrGSI1SK] = avS(gsi1VariantSK)
		item["type"] = avS("variant")
		item["sku"] = avS(v.SKU)
		item["name"] = avS(v.Name)
		item["price"] = avN(v.Price.String())
		item["currency"] = avS(v.Currency)
		item[attrUpdatedAt] = TimeAttribute(p.UpdatedAt)
		items = append(items, item)
	}
	return items
}

// customerItem returns the customer's profile item. Customers never
// change, so their version is their creation time.
func customerItem(c Customer) map[string]types.AttributeValue {
	item := CustomerKey(c.ID)
	item["type"] = avS("customer")
	item["id"] = avInt(c.ID)
	item["name"] = avS(c.Name)
	item["email"] = avS(c.Email)
	item["created_at"] = TimeAttribute(c.CreatedAt)
	item[attrUpdatedAt] = TimeAttribute(c.CreatedAt)
	return item
}

// orderItem returns the order's item, lines embedded.
func orderItem(o Order) map[string]types.AttributeValue {
	item := OrderKey(o)
	item[attrGSI1PK] = avS(orderGSI1PK(o.ID))
	item[attrGSI1SK] = avS(gsi1OrderSK)
	item["type"] = avS("order")
	item["id"] = avInt(o.ID)
	item["customer_id"] = avInt(o.CustomerID)
	item["status"] = avS(o.Status)
	item["currency"] = avS(o.Currency)
	item["total"] = avN(o.Total.String())
	item["created_at"] = TimeAttribute(o.CreatedAt)
	item[attrUpdatedAt] = TimeAttribute(o.UpdatedAt)
	lines := make([]types.AttributeValue, len(o.Lines))
	for i, l := range o.Lines {
		lines[i] = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"sku":        avS(l.SKU),
			"quantity":   avInt(int64(l.Quantity)),
			"unit_price": avN(l.UnitPrice.String()),
		}}
	}
	item["lines"] = &types.AttributeValueMemberL{Value: lines}
	return item
}

// itemReader reads attributes of an item, keeping the first problem, so a
// decoder reads every attribute and checks once.
type itemReader struct {
	item map[string]types.AttributeValue
	err  error
}

func (r *itemReader) fail(name, want string) {
	if r.err == nil {
		r.err = fmt.Errorf("catalog: item %v: attribute %q is missing or not %s", r.item[attrPK], name, want)
	}
}

func (r *itemReader) str(name string) string {
	if v, ok := r.item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	r.fail(name, "a string")
	return ""
}

func (r *itemReader) number(name string) json.Number {
	if v, ok := r.item[name].(*types.AttributeValueMemberN); ok {
		return json.Number(v.Value)
	}
	r.fail(name, "a number")
	return "0"
}

func (r *itemReader) int(name string) int64 {
	i, err := strconv.ParseInt(string(r.number(name)), 10, 64)
	if err != nil {
		r.fail(name, "an integer")
	}
	return i
}

func (r *itemReader) time(name string) time.Time {
	return time.UnixMicro(r.int(name)).UTC()
}

func (r *itemReader) list(name string) []types.AttributeValue {
	if v, ok := r.item[name].(*types.AttributeValueMemberL); ok {
		return v.Value
	}
	r.fail(name, "a list")
	return nil
}

// decodeProduct builds a product from its META item and variant items.
func decodeProduct(meta map[string]types.AttributeValue, variants []map[string]types.AttributeValue) (Product, error) {
	r := itemReader{item: meta}
	p := Product{
		ID:          r.int("id"),
		Name:        r.str("name"),
		Description: r.str("description"),
		Category:    r.str("category"),
		CreatedAt:   r.time("created_at"),
		UpdatedAt:   r.time(attrUpdatedAt),
		Variants:    make([]Variant, 0, len(variants)),
	}
	for _, item := range variants {
		r.item = item
		p.Variants = append(p.Variants, Variant{
			SKU:      r.str("sku"),
			Name:     r.str("name"),
			Price:    r.number("price"),
			Currency: r.str("currency"),
		})
	}
	return p, r.err
}

func decodeOrder(item map[string]types.AttributeValue) (Order, error) {
	r := itemReader{item: item}
	o := Order{
		ID:         r.int("id"),
		CustomerID: r.int("customer_id"),
		Status:     r.str("status"),
		Currency:   r.str("currency"),
		Total:      r.number("total"),
		CreatedAt:  r.time("created_at"),
		UpdatedAt:  r.time(attrUpdatedAt),
	}
	for _, av := range r.list("lines") {
		m, ok := av.(*types.AttributeValueMemberM)
		if !ok {
			r.fail("lines", "a list of maps")
			break
		}
		lr := itemReader{item: m.Value}
		o.Lines = append(o.Lines, OrderLine{
			SKU:       lr.str("sku"),
			Quantity:  int(lr.int("quantity")),
			UnitPrice: lr.number("unit_price"),
		})
		if r.err == nil {
			r.err = lr.err
		}
	}
	return o, r.err
}
