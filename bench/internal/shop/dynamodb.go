package shop

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"

	"github.com/shadowread/shadowread/backends"
)

// DynamoDBStore is the shop in one DynamoDB table (see the package
// documentation for its items).
type DynamoDBStore struct {
	client *awsddb.Client
	table  string
}

var _ Store = (*DynamoDBStore)(nil)

// NewDynamoDBStore returns a store on table, read through client.
func NewDynamoDBStore(client *awsddb.Client, table string) *DynamoDBStore {
	if client == nil || table == "" {
		panic("shop: NewDynamoDBStore needs a client and a table name, e.g. shop.NewDynamoDBStore(client.Client, \"shop\")")
	}
	return &DynamoDBStore{client: client, table: table}
}

// Items are the model with their key; attribute names are the JSON names.
type (
	productItem struct {
		PK, SK string
		Product
	}
	orderItem struct {
		PK, SK string
		Order
	}
)

var (
	encode = func(o *attributevalue.EncoderOptions) { o.TagKey = "json" }
	decode = func(o *attributevalue.DecoderOptions) { o.TagKey = "json" }
)

func productPK(id int64) string  { return "product#" + strconv.FormatInt(id, 10) }
func orderPK(id int64) string    { return "order#" + strconv.FormatInt(id, 10) }
func customerPK(id int64) string { return "customer#" + strconv.FormatInt(id, 10) }

// customerOrderSK sorts a customer's orders by creation time, then id.
func customerOrderSK(o Order) string {
	return fmt.Sprintf("order#%016d#%019d", o.CreatedAt.UnixMicro(), o.ID)
}

// CreateTable creates the table and waits until it is active.
func (s *DynamoDBStore) CreateTable(ctx context.Context) error {
	_, err := s.client.CreateTable(ctx, &awsddb.CreateTableInput{
		TableName:   aws.String(s.table),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("SK"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("SK"), KeyType: types.KeyTypeRange},
		},
	})
	if err != nil {
		return fmt.Errorf("shop: create table %s: %w", s.table, err)
	}
	waiter := awsddb.NewTableExistsWaiter(s.client, func(o *awsddb.TableExistsWaiterOptions) { o.MinDelay = 20 * time.Millisecond })
	return waiter.Wait(ctx, &awsddb.DescribeTableInput{TableName: aws.String(s.table)}, time.Minute)
}

// Product implements [Store] with one strongly consistent GetItem.
func (s *DynamoDBStore) Product(ctx context.Context, id int64) (Product, error) {
	var item productItem
	err := s.get(ctx, productPK(id), "product", &item)
	return item.Product, err
}

// Order implements [Store] with one strongly consistent GetItem.
func (s *DynamoDBStore) Order(ctx context.Context, id int64) (Order, error) {
	var item orderItem
	err := s.get(ctx, orderPK(id), "order", &item)
	return item.Order, err
}

func (s *DynamoDBStore) get(ctx context.Context, pk, sk string, item any) error {
	out, err := s.client.GetItem(ctx, &awsddb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            map[string]types.AttributeValue{"PK": attrS(pk), "SK": attrS(sk)},
		ConsistentRead: aws.Bool(true),
	})
	switch {
	case err != nil:
		return fmt.Errorf("shop: dynamodb get %s: %w", pk, err)
	case out.Item == nil:
		return fmt.Errorf("shop: %s: %w", pk, backends.ErrNotFound)
	}
	return attributevalue.UnmarshalMapWithOptions(out.Item, item, decode)
}

// CustomerOrders implements [Store] with one Query of the customer's
// partition, backwards.
func (s *DynamoDBStore) CustomerOrders(ctx context.Context, customerID int64, limit int) ([]Order, error) {
	out, err := s.client.Query(ctx, &awsddb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": attrS(customerPK(customerID))},
		ScanIndexForward:          aws.Bool(false),
		ConsistentRead:            aws.Bool(true),
		Limit:                     aws.Int32(int32(limit)),
	})
	if err != nil {
		return nil, fmt.Errorf("shop: dynamodb query %s: %w", customerPK(customerID), err)
	}
	orders := make([]Order, len(out.Items))
	for i, av := range out.Items {
		var item orderItem
		if err := attributevalue.UnmarshalMapWithOptions(av, &item, decode); err != nil {
			return nil, err
		}
		orders[i] = item.Order
	}
	return orders, nil
}

// Put writes the products and orders (each order twice: by id and in its
// customer's list), 25 items a request.
func (s *DynamoDBStore) Put(ctx context.Context, products []Product, orders []Order) (items int, err error) {
	var batch []types.WriteRequest
	add := func(item any) error {
		av, err := attributevalue.MarshalMapWithOptions(item, encode)
		batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: av}})
		return err
	}
	for _, p := range products {
		err = errors.Join(err, add(productItem{productPK(p.ID), "product", p}))
	}
	for _, o := range orders {
		err = errors.Join(err, add(orderItem{orderPK(o.ID), "order", o}), add(orderItem{customerPK(o.CustomerID), customerOrderSK(o), o}))
	}
	if err != nil {
		return 0, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for chunk := range slices.Chunk(batch, 25) {
		g.Go(func() error { return s.write(gctx, chunk) })
	}
	return len(batch), g.Wait()
}

// write writes one batch, again with what DynamoDB left unprocessed.
func (s *DynamoDBStore) write(ctx context.Context, reqs []types.WriteRequest) error {
	for len(reqs) > 0 {
		out, err := s.client.BatchWriteItem(ctx, &awsddb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{s.table: reqs},
		})
		if err != nil {
			return fmt.Errorf("shop: dynamodb batch write: %w", err)
		}
		if reqs = out.UnprocessedItems[s.table]; len(reqs) > 0 {
			time.Sleep(50 * time.Millisecond) // DynamoDB is throttling
		}
	}
	return nil
}

func attrS(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
