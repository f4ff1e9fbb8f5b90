package catalog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/shadowread/shadowread/backends"
)

// The reads and writes that the write endpoints need once DynamoDB is the
// source of truth (write modes dynamodb-first and dynamodb).

const (
	counterPK   = "COUNTER"
	counterSK   = "ORDER_ID"
	attrCounter = "n"
)

// RaiseOrderCounter makes the order-id counter at least id, so that ids
// DynamoDB hands out after a switch of the write mode follow the ones
// PostgreSQL gave. Every copy of orders to DynamoDB raises it.
func (s *DynamoDBStore) RaiseOrderCounter(ctx context.Context, id int64) error {
	_, err := s.client.UpdateItem(ctx, &awsddb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       ItemKey(counterPK, counterSK),
		UpdateExpression:          aws.String("SET #n = :id"),
		ConditionExpression:       aws.String("attribute_not_exists(#n) OR #n < :id"),
		ExpressionAttributeNames:  map[string]string{"#n": attrCounter},
		ExpressionAttributeValues: map[string]types.AttributeValue{":id": AttrInt(id)},
	})
	var stale *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &stale) {
		return fmt.Errorf("catalog: dynamodb order counter: %w", err)
	}
	return nil
}

// NextOrderID takes the next order id from the counter.
func (s *DynamoDBStore) NextOrderID(ctx context.Context) (int64, error) {
	out, err := s.client.UpdateItem(ctx, &awsddb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       ItemKey(counterPK, counterSK),
		UpdateExpression:          aws.String("ADD #n :one"),
		ExpressionAttributeNames:  map[string]string{"#n": attrCounter},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": AttrInt(1)},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return 0, fmt.Errorf("catalog: dynamodb order counter: %w", err)
	}
	r := ItemReader{item: out.Attributes}
	id := r.Int(attrCounter)
	return id, r.err
}

// CustomerExists reports whether the customer has a profile item.
func (s *DynamoDBStore) CustomerExists(ctx context.Context, id int64) (bool, error) {
	out, err := s.client.GetItem(ctx, &awsddb.GetItemInput{
		TableName: aws.String(s.table), Key: CustomerKey(id), ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String("PK"),
	})
	if err != nil {
		return false, fmt.Errorf("catalog: dynamodb get customer %d: %w", id, err)
	}
	return out.Item != nil, nil
}

// VariantBySKU finds a variant and its product by SKU through GSI1.
func (s *DynamoDBStore) VariantBySKU(ctx context.Context, sku string) (Variant, error) {
	items, err := s.Query(ctx, &awsddb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(GSI1),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": AttrS(SKUGSI1PKPrefix + sku)},
	}, 1)
	if err != nil {
		return Variant{}, err
	}
	if len(items) == 0 {
		return Variant{}, ErrUnknownSKU
	}
	r := ItemReader{item: items[0]}
	v := Variant{SKU: r.Str("sku"), Name: r.Str("name"), Price: r.Number("price"), Currency: r.Str("currency")}
	return v, r.err
}

// SetProductVersion moves the product's META item from version old to the
// product's new version, failing with ErrVersionMoved if another write
// moved it first. It serialises the price changes of one product.
func (s *DynamoDBStore) SetProductVersion(ctx context.Context, p Product, old int64) error {
	meta := ProductItems(Product{ID: p.ID, Name: p.Name, Description: p.Description, Category: p.Category,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt})[0]
	_, err := s.client.PutItem(ctx, &awsddb.PutItemInput{
		TableName:                 aws.String(s.table),
		Item:                      meta,
		ConditionExpression:       aws.String("updated_at = :old"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":old": AttrInt(old)},
	})
	var moved *types.ConditionalCheckFailedException
	if errors.As(err, &moved) {
		return ErrVersionMoved
	}
	if err != nil {
		return fmt.Errorf("catalog: dynamodb put product %d: %w", p.ID, err)
	}
	return nil
}

var ErrVersionMoved = errors.New("catalog: the product changed meanwhile")

// PutVariant writes one variant's item, only if newer.
func (s *DynamoDBStore) PutVariant(ctx context.Context, p Product, sku string) error {
	for _, item := range ProductItems(p)[1:] {
		if item["sku"].(*types.AttributeValueMemberS).Value == sku {
			_, err := s.PutIfNewer(ctx, item)
			return err
		}
	}
	return fmt.Errorf("catalog: product %d has no variant %q: %w", p.ID, sku, backends.ErrNotFound)
}

// PutOrderIfNewer writes an order's item, only if newer, and raises the
// order counter.
func (s *DynamoDBStore) PutOrderIfNewer(ctx context.Context, o Order) error {
	if _, err := s.PutOrder(ctx, o); err != nil {
		return err
	}
	return s.RaiseOrderCounter(ctx, o.ID)
}

// DeleteItems deletes items by key.
func (s *DynamoDBStore) DeleteItems(ctx context.Context, keys []map[string]types.AttributeValue) error {
	for _, k := range keys {
		if _, err := s.client.DeleteItem(ctx, &awsddb.DeleteItemInput{TableName: aws.String(s.table), Key: k}); err != nil {
			return fmt.Errorf("catalog: dynamodb delete %s: %w", DescribeKey(k), err)
		}
	}
	return nil
}

// ProductKeys returns the keys of every item of a product's partition.
func (s *DynamoDBStore) ProductKeys(ctx context.Context, id int64) ([]map[string]types.AttributeValue, error) {
	items, err := s.Query(ctx, &awsddb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": AttrS(ProductPK(id))},
		ProjectionExpression:      aws.String("PK, SK"),
		ConsistentRead:            aws.Bool(true),
	}, 0)
	return items, err
}

// OrderKeys returns the keys of the items of an order (one, unless drift
// put it twice).
func (s *DynamoDBStore) OrderKeys(ctx context.Context, id int64) ([]map[string]types.AttributeValue, error) {
	items, err := s.Query(ctx, &awsddb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(GSI1),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": AttrS(OrderGSI1PK(id))},
		ProjectionExpression:      aws.String("PK, SK"),
	}, 0)
	return items, err
}

// Cents parses a decimal price of at most two decimals.
func Cents(n string) (int64, error) {
	whole, frac, _ := strings.Cut(n, ".")
	if len(frac) > 2 {
		return 0, fmt.Errorf("%w: price %q has more than two decimals", ErrInvalid, n)
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("%w: price %q", ErrInvalid, n)
	}
	return w*100 + f, nil
}

// Decimal formats cents as NUMERIC(12,2) text.
func Decimal(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }
