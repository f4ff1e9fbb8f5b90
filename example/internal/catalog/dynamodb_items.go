package catalog

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
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
	AttrPK     = "PK"
	AttrSK     = "SK"
	AttrGSI1PK = "GSI1PK"
	AttrGSI1SK = "GSI1SK"
	// GSI1 is the index of orders by id.
	GSI1 = "GSI1"

	SKMeta            = "META"
	SKProfile         = "PROFILE"
	SKUGSI1PKPrefix   = "SKU#"
	GSI1VariantSK     = "VARIANT"
	SKVariantPrefix   = "VARIANT#"
	SKOrderPrefix     = "ORDER#"
	GSI1OrderSK       = "ORDER"
	SKTimeLayout      = "2006-01-02T15:04:05.000000Z"
	OrderIDDigits     = 20
	AttrUpdatedAt     = "updated_at"
	ProductPKPrefix   = "PRODUCT#"
	CustomerPKPrefix  = "CUSTOMER#"
	OrderGSI1PKPrefix = "ORDER#"
)

// ProductKey is the key of a product's META item.
func ProductKey(id int64) map[string]types.AttributeValue {
	return ItemKey(ProductPK(id), SKMeta)
}

// VariantKey is the key of a variant's item.
func VariantKey(productID int64, sku string) map[string]types.AttributeValue {
	return ItemKey(ProductPK(productID), SKVariantPrefix+sku)
}

// OrderKey is the key of an order's item; the sort key holds its creation
// time, so the key needs the order, not only its id.
func OrderKey(o Order) map[string]types.AttributeValue {
	return ItemKey(CustomerPK(o.CustomerID), OrderSK(o.CreatedAt, o.ID))
}

// ItemKey is the key of the item with partition key pk and sort key sk.
func ItemKey(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: AttrS(pk), AttrSK: AttrS(sk)}
}

// CustomerKey is the key of a customer's profile item.
func CustomerKey(id int64) map[string]types.AttributeValue {
	return ItemKey(CustomerPK(id), SKProfile)
}

func ProductPK(id int64) string  { return ProductPKPrefix + strconv.FormatInt(id, 10) }
func CustomerPK(id int64) string { return CustomerPKPrefix + strconv.FormatInt(id, 10) }
func OrderGSI1PK(id int64) string {
	return OrderGSI1PKPrefix + strconv.FormatInt(id, 10)
}

func OrderSK(createdAt time.Time, id int64) string {
	return fmt.Sprintf("%s%s#%0*d", SKOrderPrefix, createdAt.UTC().Format(SKTimeLayout), OrderIDDigits, id)
}

func AttrS(v string) types.AttributeValue  { return &types.AttributeValueMemberS{Value: v} }
func AttrN(v string) types.AttributeValue  { return &types.AttributeValueMemberN{Value: v} }
func AttrInt(v int64) types.AttributeValue { return AttrN(strconv.FormatInt(v, 10)) }

// TimeAttribute is a timestamp as the table keeps it: a Number of
// microseconds since the epoch.
func TimeAttribute(t time.Time) types.AttributeValue { return AttrInt(t.UnixMicro()) }

// ProductItems returns the META item and one item per variant. Every item
// carries the product's updated_at, the version conditional writes compare.
func ProductItems(p Product) []map[string]types.AttributeValue {
	items := make([]map[string]types.AttributeValue, 0, 1+len(p.Variants))
	meta := ProductKey(p.ID)
	meta["type"] = AttrS("product")
	meta["id"] = AttrInt(p.ID)
	meta["name"] = AttrS(p.Name)
	meta["description"] = AttrS(p.Description)
	meta["category"] = AttrS(p.Category)
	meta["created_at"] = TimeAttribute(p.CreatedAt)
	meta[AttrUpdatedAt] = TimeAttribute(p.UpdatedAt)
	items = append(items, meta)
	for _, v := range p.Variants {
		item := VariantKey(p.ID, v.SKU)
		item[AttrGSI1PK] = AttrS(SKUGSI1PKPrefix + v.SKU)
		item[AttrGSI1SK] = AttrS(GSI1VariantSK)
		item["type"] = AttrS("variant")
		item["sku"] = AttrS(v.SKU)
		item["name"] = AttrS(v.Name)
		item["price"] = AttrN(v.Price.String())
		item["currency"] = AttrS(v.Currency)
		item[AttrUpdatedAt] = TimeAttribute(p.UpdatedAt)
		items = append(items, item)
	}
	return items
}

// CustomerItem returns the customer's profile item. Customers never
// change, so their version is their creation time.
func CustomerItem(c Customer) map[string]types.AttributeValue {
	item := CustomerKey(c.ID)
	item["type"] = AttrS("customer")
	item["id"] = AttrInt(c.ID)
	item["name"] = AttrS(c.Name)
	item["email"] = AttrS(c.Email)
	item["created_at"] = TimeAttribute(c.CreatedAt)
	item[AttrUpdatedAt] = TimeAttribute(c.CreatedAt)
	return item
}

// OrderItem returns the order's item, lines embedded.
func OrderItem(o Order) map[string]types.AttributeValue {
	item := OrderKey(o)
	item[AttrGSI1PK] = AttrS(OrderGSI1PK(o.ID))
	item[AttrGSI1SK] = AttrS(GSI1OrderSK)
	item["type"] = AttrS("order")
	item["id"] = AttrInt(o.ID)
	item["customer_id"] = AttrInt(o.CustomerID)
	item["status"] = AttrS(o.Status)
	item["currency"] = AttrS(o.Currency)
	item["total"] = AttrN(o.Total.String())
	item["created_at"] = TimeAttribute(o.CreatedAt)
	item[AttrUpdatedAt] = TimeAttribute(o.UpdatedAt)
	lines := make([]types.AttributeValue, len(o.Lines))
	for i, l := range o.Lines {
		lines[i] = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"sku":        AttrS(l.SKU),
			"quantity":   AttrInt(int64(l.Quantity)),
			"unit_price": AttrN(l.UnitPrice.String()),
		}}
	}
	item["lines"] = &types.AttributeValueMemberL{Value: lines}
	return item
}

// ItemReader reads attributes of an item, keeping the first problem, so a
// decoder reads every attribute and checks once.
type ItemReader struct {
	item map[string]types.AttributeValue
	err  error
}

// NewItemReader reads the attributes of item.
func NewItemReader(item map[string]types.AttributeValue) ItemReader { return ItemReader{item: item} }

// Err is the first problem met, if any.
func (r *ItemReader) Err() error { return r.err }

func (r *ItemReader) fail(name, want string) {
	if r.err == nil {
		r.err = fmt.Errorf("catalog: item %v: attribute %q is missing or not %s", r.item[AttrPK], name, want)
	}
}

func (r *ItemReader) Str(name string) string {
	if v, ok := r.item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	r.fail(name, "a string")
	return ""
}

func (r *ItemReader) Number(name string) json.Number {
	if v, ok := r.item[name].(*types.AttributeValueMemberN); ok {
		return json.Number(v.Value)
	}
	r.fail(name, "a number")
	return "0"
}

func (r *ItemReader) Int(name string) int64 {
	i, err := strconv.ParseInt(string(r.Number(name)), 10, 64)
	if err != nil {
		r.fail(name, "an integer")
	}
	return i
}

func (r *ItemReader) Time(name string) time.Time {
	return time.UnixMicro(r.Int(name)).UTC()
}

func (r *ItemReader) List(name string) []types.AttributeValue {
	if v, ok := r.item[name].(*types.AttributeValueMemberL); ok {
		return v.Value
	}
	r.fail(name, "a list")
	return nil
}

// DecodeProduct builds a product from its META item and variant items.
func DecodeProduct(meta map[string]types.AttributeValue, variants []map[string]types.AttributeValue) (Product, error) {
	r := ItemReader{item: meta}
	p := Product{
		ID:          r.Int("id"),
		Name:        r.Str("name"),
		Description: r.Str("description"),
		Category:    r.Str("category"),
		CreatedAt:   r.Time("created_at"),
		UpdatedAt:   r.Time(AttrUpdatedAt),
		Variants:    make([]Variant, 0, len(variants)),
	}
	for _, item := range variants {
		r.item = item
		p.Variants = append(p.Variants, Variant{
			SKU:      r.Str("sku"),
			Name:     r.Str("name"),
			Price:    r.Number("price"),
			Currency: r.Str("currency"),
		})
	}
	return p, r.err
}

func DecodeOrder(item map[string]types.AttributeValue) (Order, error) {
	r := ItemReader{item: item}
	o := Order{
		ID:         r.Int("id"),
		CustomerID: r.Int("customer_id"),
		Status:     r.Str("status"),
		Currency:   r.Str("currency"),
		Total:      r.Number("total"),
		CreatedAt:  r.Time("created_at"),
		UpdatedAt:  r.Time(AttrUpdatedAt),
	}
	for _, av := range r.List("lines") {
		m, ok := av.(*types.AttributeValueMemberM)
		if !ok {
			r.fail("lines", "a list of maps")
			break
		}
		lr := ItemReader{item: m.Value}
		o.Lines = append(o.Lines, OrderLine{
			SKU:       lr.Str("sku"),
			Quantity:  int(lr.Int("quantity")),
			UnitPrice: lr.Number("unit_price"),
		})
		if r.err == nil {
			r.err = lr.err
		}
	}
	return o, r.err
}

// IsOutboxKey reports whether a partition key is a repair log's: the dual
// writer keeps PostgreSQL's in the table, beside the catalog's items.
func IsOutboxKey(pk string) bool { return strings.HasPrefix(pk, "OUTBOX#") }
