package verification

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shadowread/shadowread/example/internal/catalog"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/shadowread/shadowread/verify"
)

// itemAttrs is one item of the table.
type itemAttrs = map[string]types.AttributeValue

// itemKey is an item's key and index attributes, what verification checks
// beside the entity's body.
func itemKey(item itemAttrs) verify.Key {
	k := verify.Key{}
	for _, name := range []string{catalog.AttrPK, catalog.AttrSK, catalog.AttrGSI1PK, catalog.AttrGSI1SK} {
		switch v := item[name].(type) {
		case *types.AttributeValueMemberS:
			k[name] = v.Value
		case nil:
		default:
			k[name] = fmt.Sprintf("<%T>", v) // a key of the wrong type is a key that differs
		}
	}
	return k
}

func stringAttr(item itemAttrs, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// verifyScan reads one parallel-scan segment of the table and emits every
// entity it holds: a customer per profile item, an order per order item
// (a second copy of an order is a second entity, a duplicate), a product
// per partition with its variants (a product's items share a partition,
// so one segment holds all of them). Items that cannot be decoded are
// emitted with the reason; items of no entity as orphans.
func (s target) verifyScan(ctx context.Context, segment, segments int, emit func(verify.Entity) error) error {
	in := &awsddb.ScanInput{
		TableName:      aws.String(s.Table()),
		Segment:        aws.Int32(int32(segment)),
		TotalSegments:  aws.Int32(int32(segments)),
		ConsistentRead: aws.Bool(true),
	}
	products := map[int64][]itemAttrs{}
	var productIDs []int64
	for {
		res, err := s.Client().Scan(ctx, in)
		if err != nil {
			return fmt.Errorf("catalog: dynamodb scan segment %d: %w", segment, err)
		}
		for _, item := range res.Items {
			pk := stringAttr(item, catalog.AttrPK)
			if id, ok := strings.CutPrefix(pk, catalog.ProductPKPrefix); ok {
				if n, err := strconv.ParseInt(id, 10, 64); err == nil {
					if products[n] == nil {
						productIDs = append(productIDs, n)
					}
					products[n] = append(products[n], item)
					continue
				}
			}
			if err := emitItem(item, emit); err != nil {
				return err
			}
		}
		if res.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
	for _, id := range productIDs {
		if err := emit(scannedProduct(id, products[id])); err != nil {
			return err
		}
	}
	return nil
}

// emitItem emits an item that is not a product's.
func emitItem(item itemAttrs, emit func(verify.Entity) error) error {
	pk, sk := stringAttr(item, catalog.AttrPK), stringAttr(item, catalog.AttrSK)
	key := []verify.Key{itemKey(item)}
	switch {
	case pk == "COUNTER" || strings.HasPrefix(pk, "OUTBOX#"):
		return nil // the order-id counter and the repair log hold no entity
	case strings.HasPrefix(sk, catalog.SKOrderPrefix):
		e := verify.Entity{Kind: string(catalog.EntityOrder), ID: orderIDOf(item), Items: key}
		o, err := catalog.DecodeOrder(item)
		if err != nil {
			e.Err = err
		} else {
			e.Response = entityResponse(o)
		}
		if e.ID == 0 {
			e.Kind = "" // not even its id can be read
		}
		return emit(e)
	case strings.HasPrefix(pk, catalog.CustomerPKPrefix) && sk == catalog.SKProfile:
		e := verify.Entity{Kind: string(catalog.EntityCustomer), Items: key}
		e.ID, _ = strconv.ParseInt(strings.TrimPrefix(pk, catalog.CustomerPKPrefix), 10, 64)
		c, err := decodeCustomer(item)
		if err != nil {
			e.Err = err
		} else {
			e.Response = entityResponse(customerView(c))
		}
		return emit(e)
	}
	return emit(verify.Entity{Items: key, Err: errors.New("an item of no entity the catalog knows")})
}

// orderIDOf is an order item's id: its id attribute, else its index key,
// else its sort key's suffix; 0 when none can be read.
func orderIDOf(item itemAttrs) int64 {
	if v, ok := item["id"].(*types.AttributeValueMemberN); ok {
		if id, err := strconv.ParseInt(v.Value, 10, 64); err == nil {
			return id
		}
	}
	if id, err := strconv.ParseInt(strings.TrimPrefix(stringAttr(item, catalog.AttrGSI1PK), catalog.OrderGSI1PKPrefix), 10, 64); err == nil {
		return id
	}
	sk := stringAttr(item, catalog.AttrSK)
	id, _ := strconv.ParseInt(strings.TrimLeft(sk[strings.LastIndexByte(sk, '#')+1:], "0"), 10, 64)
	return id
}

// scannedProduct is a product's partition as the read endpoint would
// serve it: the META item and the variants in sort-key order, as a Query
// returns them. Variants without their META hold no product.
func scannedProduct(id int64, items []itemAttrs) verify.Entity {
	slices.SortFunc(items, func(a, b itemAttrs) int {
		return strings.Compare(stringAttr(a, catalog.AttrSK), stringAttr(b, catalog.AttrSK))
	})
	e := verify.Entity{Kind: string(catalog.EntityProduct), ID: id}
	var meta itemAttrs
	var variants []itemAttrs
	for _, item := range items {
		e.Items = append(e.Items, itemKey(item))
		switch sk := stringAttr(item, catalog.AttrSK); {
		case sk == catalog.SKMeta:
			meta = item
		case strings.HasPrefix(sk, catalog.SKVariantPrefix):
			variants = append(variants, item)
		}
	}
	if meta == nil {
		return e
	}
	p, err := catalog.DecodeProduct(meta, variants)
	if err != nil {
		e.Err = err
	} else {
		e.Response = entityResponse(p)
	}
	return e
}

// decodeCustomer reads a customer's profile item.
func decodeCustomer(item itemAttrs) (catalog.Customer, error) {
	r := catalog.NewItemReader(item)
	c := catalog.Customer{ID: r.Int("id"), Name: r.Str("name"), Email: r.Str("email"), CreatedAt: r.Time("created_at")}
	return c, r.Err()
}
