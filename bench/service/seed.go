package main

import (
	"context"
	"fmt"
	"io"

	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/bench/internal/shop"
)

var defaultSize = shop.Size{Products: 1000, Customers: 200, Orders: 3000}

// seed fills a fresh PostgreSQL database and a new DynamoDB table with the
// same generated shop.
func seed(ctx context.Context, pgURL, ddbURL, table string, size shop.Size, stdout io.Writer) error {
	if size.Products < 1 || size.Customers < 1 || size.Orders < 0 {
		return usageError{"seed needs at least one product and one customer"}
	}
	pool, err := postgres.Open(ctx, pgURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	client, err := dynamodb.New(ctx, dynamodb.WithEndpoint(ddbURL))
	if err != nil {
		return err
	}
	defer client.Close()
	items, err := shop.Seed(ctx, shop.NewPostgresStore(pool), shop.NewDynamoDBStore(client.Client, table), size)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "products=%d customers=%d orders=%d items=%d\n", size.Products, size.Customers, size.Orders, items)
	return err
}
