package dynamodb_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/dynamodb"
)

// noTables stands in for a local DynamoDB-API server (dynalite, DynamoDB
// Local) that holds no table, so the examples run without one; the tests in
// dynamodb_test.go run against dynalite.
func noTables() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}`)
	}))
}

func ExampleNew() {
	ctx := context.Background()
	server := noTables()
	defer server.Close()

	// A local DynamoDB-API server such as dynalite: with an endpoint, the
	// region and the credentials default to dummy ones.
	client, err := dynamodb.New(ctx, dynamodb.WithEndpoint(server.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()

	_, err = client.GetItem(ctx, &awsddb.GetItemInput{
		TableName: aws.String("no-such-table"),
		Key:       map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "p1"}},
	})
	var missing *types.ResourceNotFoundException
	fmt.Println("table missing:", errors.As(err, &missing))
	fmt.Println("throttled:", dynamodb.IsThrottled(err))
	// Output:
	// table missing: true
	// throttled: false
}

func ExampleIsThrottled() {
	// What GetItem returns after its last attempt was throttled.
	err := &smithy.OperationError{ServiceID: "DynamoDB", OperationName: "GetItem", Err: &retry.MaxAttemptsError{
		Attempt: 2,
		Err:     &types.ProvisionedThroughputExceededException{Message: aws.String("rate exceeded")},
	}}
	fmt.Println(dynamodb.IsThrottled(err))
	fmt.Println(dynamodb.IsThrottled(&types.ConditionalCheckFailedException{}))
	// Output:
	// true
	// false
}

func ExampleWithThrottle() {
	ctx := context.Background()
	server := noTables()
	defer server.Close()

	// One throttle, shared with the shadow-read middleware
	// (middleware.WithThrottleBackoff), which sends fewer shadow reads
	// while DynamoDB throttles.
	throttle := backends.NewThrottle(backends.DynamoDB, time.Second)
	client, err := dynamodb.New(ctx,
		dynamodb.WithEndpoint(server.URL),
		dynamodb.WithThrottle(throttle))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()

	// A missing table is a failure, not throttling: the level stays 0.
	client.GetItem(ctx, &awsddb.GetItemInput{
		TableName: aws.String("no-such-table"),
		Key:       map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "p1"}},
	})
	fmt.Println("throttle level:", throttle.Level())
	// Output: throttle level: 0
}

func ExampleMapGetItem() {
	// What GetItem returns for a key the table does not hold: no error, and
	// an output without an item. With client a *dynamodb.Client:
	//
	//	item, err := dynamodb.MapGetItem(client.GetItem(ctx, input))
	item, err := dynamodb.MapGetItem(&awsddb.GetItemOutput{}, nil)
	fmt.Println(item == nil, err)
	fmt.Println(errors.Is(err, backends.ErrNotFound))
	// Output:
	// true dynamodb: backends: not found
	// true
}

func ExampleMapError() {
	// What PutItem returns when its condition fails, mapped for a store.
	err := dynamodb.MapError(&types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")})
	var condition *types.ConditionalCheckFailedException
	fmt.Println(err)
	fmt.Println(errors.As(err, &condition), errors.Is(err, backends.ErrNotFound))
	// Output:
	// dynamodb: ConditionalCheckFailedException: The conditional request failed
	// true false
}

func ExampleWithCallTimeout() {
	ctx := context.Background()
	// A DynamoDB that stalls: it takes requests and never answers.
	stalled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // then the server sees the client hang up
		<-r.Context().Done()
	}))
	defer stalled.Close()

	client, err := dynamodb.New(ctx, dynamodb.WithEndpoint(stalled.URL),
		// A read path answers users fast: the call fails after 100 ms,
		// retries included, instead of hanging.
		dynamodb.WithCallTimeout(100*time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()
	_, err = client.ListTables(ctx, &awsddb.ListTablesInput{})
	fmt.Println(errors.Is(err, context.DeadlineExceeded))
	// Output:
	// true
}
