package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/bench/internal/shop"
)

// probe times product reads from the DynamoDB store, one after the other,
// and prints the median in nanoseconds: "p50_ns=N reads=N".
func probe(ctx context.Context, ddbURL, table string, products, reads int, stdout io.Writer) error {
	if products < 1 || reads < 1 {
		return usageError{"probe needs at least one product and one read"}
	}
	client, err := dynamodb.New(ctx, dynamodb.WithEndpoint(ddbURL))
	if err != nil {
		return err
	}
	defer client.Close()
	store := shop.NewDynamoDBStore(client.Client, table)

	// The first reads open connections; they are not timed.
	for id := range min(products, 5) {
		if _, err := store.Product(ctx, int64(id+1)); err != nil {
			return fmt.Errorf("probe: reading product %d: %w", id+1, err)
		}
	}
	times := make([]time.Duration, reads)
	for i := range times {
		id := int64(1 + (i*7)%products)
		start := time.Now()
		if _, err := store.Product(ctx, id); err != nil {
			return fmt.Errorf("probe: reading product %d: %w", id, err)
		}
		times[i] = time.Since(start)
	}
	slices.Sort(times)
	_, err = fmt.Fprintf(stdout, "p50_ns=%d reads=%d\n", times[len(times)/2].Nanoseconds(), reads)
	return err
}
