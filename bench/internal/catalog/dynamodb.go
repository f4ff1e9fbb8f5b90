package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/shadowread/shadowread/backends"
)

// DynamoDBStore is the catalog on DynamoDB, in one table (see the package
// documentation for the single-table design).
type DynamoDBStore struct {
	client *awsddb.Client
	table  string
}

var (
	_ ProductStore = (*DynamoDBStore)(nil)
	_ OrderStore   = (*DynamoDBStore)(nil)
)

// NewDynamoDBStore returns a store on table, read and written through
// client (typically the traced client of [dynamodb.New]).
func NewDynamoDBStore(client *awsddb.Client, table string) *DynamoDBStore {
	if client == nil || table == "" {
		panic("catalog: NewDynamoDBStore needs a client and a table name, e.g. catalog.NewDynamoDBStore(client.Client, \"catalog\")")
	}
	return &DynamoDBStore{client: client, table: table}
}

// Client returns the store's DynamoDB client.
func (s *DynamoDBStore) Client() *awsddb.Client { return s.client }

// Table returns the store's table name.
func (s *DynamoDBStore) Table() string { return s.table }

// CreateTable creates the table with its index, unless it exists, and waits
// until it is active.
func (s *DynamoDBStore) CreateTable(ctx context.Context) error {
	str := func(name string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: types.ScalarAttributeTypeS}
	}
	keySchema := func(hash, rng string) []types.KeySchemaElement {
		return []types.KeySchemaElement{
			{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(rng), KeyType: types.KeyTypeRange},
		}
	}
	_, err := s.client.CreateTable(ctx, &awsddb.CreateTableInput{
		TableName:            aws.String(s.table),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{str(AttrPK), str(AttrSK), str(AttrGSI1PK), str(AttrGSI1SK)},
		KeySchema:            keySchema(AttrPK, AttrSK),
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:  aws.String(GSI1),
			KeySchema:  keySchema(AttrGSI1PK, AttrGSI1SK),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("catalog: create table %s: %w", s.table, err)
	}
	waiter := awsddb.NewTableExistsWaiter(s.client, func(o *awsddb.TableExistsWaiterOptions) {
		o.MinDelay = 20 * time.Millisecond
		o.MaxDelay = time.Second
	})
	if err := waiter.Wait(ctx, &awsddb.DescribeTableInput{TableName: aws.String(s.table)}, time.Minute); err != nil {
		return fmt.Errorf("catalog: wait for table %s: %w", s.table, err)
	}
	return nil
}

// Product implements [ProductStore] with one strongly consistent Query of
// the product's partition: the META item, then the variants by SKU.
func (s *DynamoDBStore) Product(ctx context.Context, id int64) (Product, error) {
	items, err := s.Query(ctx, &awsddb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": AttrS(ProductPK(id))},
		ConsistentRead:            aws.Bool(true),
	}, 0)
	if err != nil {
		return Product{}, err
	}
	var meta map[string]types.AttributeValue
	var variants []map[string]types.AttributeValue
	for _, item := range items {
		switch sk := item[AttrSK].(*types.AttributeValueMemberS); {
		case sk == nil:
		case sk.Value == SKMeta:
			meta = item
		case strings.HasPrefix(sk.Value, SKVariantPrefix):
			variants = append(variants, item)
		}
	}
	if meta == nil {
		return Product{}, fmt.Errorf("catalog: product %d: %w", id, backends.ErrNotFound)
	}
	return DecodeProduct(meta, variants)
}

// Order implements [OrderStore] with a Query of the GSI1 index. Index reads
// are eventually consistent: on DynamoDB an order can be missing from the
// index for a moment after it was written.
func (s *DynamoDBStore) Order(ctx context.Context, id int64) (Order, error) {
	items, err := s.Query(ctx, &awsddb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(GSI1),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": AttrS(OrderGSI1PK(id))},
	}, 1)
	if err != nil {
		return Order{}, err
	}
	if len(items) == 0 {
		return Order{}, fmt.Errorf("catalog: order %d: %w", id, backends.ErrNotFound)
	}
	return DecodeOrder(items[0])
}

// CustomerOrders implements [OrderStore] with a Query of the customer's
// partition in descending sort-key order, starting after the cursor's key.
func (s *DynamoDBStore) CustomerOrders(ctx context.Context, customerID int64, after Cursor, limit int) ([]Order, error) {
	in := &awsddb.QueryInput{
		TableName:              aws.String(s.table),
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :orders)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":     AttrS(CustomerPK(customerID)),
			":orders": AttrS(SKOrderPrefix),
		},
		ScanIndexForward: aws.Bool(false),
		ConsistentRead:   aws.Bool(true),
		Limit:            aws.Int32(int32(limit)),
	}
	if !after.IsZero() {
		// A position, not an item: the order need not exist in this store.
		in.ExclusiveStartKey = ItemKey(CustomerPK(customerID), OrderSK(after.CreatedAt, after.OrderID))
	}
	items, err := s.Query(ctx, in, limit)
	if err != nil {
		return nil, err
	}
	orders := make([]Order, 0, len(items))
	for _, item := range items {
		o, err := DecodeOrder(item)
		if err != nil {
			return nil, err
		}
		orders = append(orders, o)
	}
	return orders, nil
}

// Query runs a Query through its pages until it has limit items (0: all).
func (s *DynamoDBStore) Query(ctx context.Context, in *awsddb.QueryInput, limit int) ([]map[string]types.AttributeValue, error) {
	var items []map[string]types.AttributeValue
	for {
		out, err := s.client.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("catalog: dynamodb query: %w", err)
		}
		items = append(items, out.Items...)
		if out.LastEvaluatedKey == nil || (limit > 0 && len(items) >= limit) {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if limit > 0 && len(items) > limit {
		items = items[:limit]
	}
	return items, nil
}

// PutResult counts the items of a conditional write.
type PutResult struct {
	// Written items were missing or older; Skipped ones were at least as
	// fresh as the write and were left alone.
	Written, Skipped int
}

func (r *PutResult) Add(o PutResult) { r.Written += o.Written; r.Skipped += o.Skipped }

// PutProduct writes the product's items, each only if the table has no
// fresher version of it.
func (s *DynamoDBStore) PutProduct(ctx context.Context, p Product) (PutResult, error) {
	var res PutResult
	for _, item := range ProductItems(p) {
		r, err := s.PutIfNewer(ctx, item)
		if err != nil {
			return res, err
		}
		res.Add(r)
	}
	return res, nil
}

// PutOrder writes the order's item unless the table has a fresher version.
func (s *DynamoDBStore) PutOrder(ctx context.Context, o Order) (PutResult, error) {
	return s.PutIfNewer(ctx, OrderItem(o))
}

// PutIfNewer is the one write rule of the migration: an item is written
// only if the table has none with that key or an older updated_at. A
// backfill that read a row before a dual write changed it can therefore
// never overwrite the newer item, and replaying a write is harmless. An
// item as fresh as the write counts as skipped, not as an error.
func (s *DynamoDBStore) PutIfNewer(ctx context.Context, item map[string]types.AttributeValue) (PutResult, error) {
	_, err := s.client.PutItem(ctx, &awsddb.PutItemInput{
		TableName:                 aws.String(s.table),
		Item:                      item,
		ConditionExpression:       aws.String("attribute_not_exists(PK) OR updated_at < :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": item[AttrUpdatedAt]},
	})
	var stale *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &stale):
		return PutResult{Skipped: 1}, nil
	case err != nil:
		return PutResult{}, fmt.Errorf("catalog: dynamodb put %v: %w", DescribeKey(item), err)
	}
	return PutResult{Written: 1}, nil
}

func DescribeKey(item map[string]types.AttributeValue) string {
	pk, _ := item[AttrPK].(*types.AttributeValueMemberS)
	sk, _ := item[AttrSK].(*types.AttributeValueMemberS)
	if pk == nil || sk == nil {
		return "(no key)"
	}
	return pk.Value + "/" + sk.Value
}
