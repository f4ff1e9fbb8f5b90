package dynamodb_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/shadowread/shadowread/backends/dynamodb"
)

func ExampleNew() {
	ctx := context.Background()
	// A local DynamoDB-API server; here the dynalite that `make test` starts.
	client, err := dynamodb.New(ctx, dynamodb.WithEndpoint(os.Getenv("SHADOWREAD_DYNAMODB_ENDPOINT")))
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
