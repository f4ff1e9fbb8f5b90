package dynamodb_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/internal/testenv"
)

// asReturned wraps err as GetItem returns a service error after its last
// attempt: operation error, retry error, HTTP response error.
func asReturned(err error) error {
	return &smithy.OperationError{ServiceID: "DynamoDB", OperationName: "GetItem", Err: &retry.MaxAttemptsError{
		Attempt: 2,
		Err:     &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{Err: err}},
	}}
}

func TestIsThrottled(t *testing.T) {
	ddb := newTraced(t, testenv.DynamoDBEndpoint(t))
	table := testenv.UniqueName(t, "throttle")
	createTable(t, ddb.client, table)
	_, missingTable := ddb.client.GetItem(t.Context(), &awsddb.GetItemInput{TableName: aws.String(table + "-missing"), Key: key("p1")})
	_, conditionFailed := ddb.client.PutItem(t.Context(), &awsddb.PutItemInput{
		TableName: aws.String(table), Item: key("p1"), ConditionExpression: aws.String("attribute_exists(pk)"),
	})

	tests := []struct {
		name   string
		err    error
		want   bool
		reason string
	}{
		{"capacity", &types.ProvisionedThroughputExceededException{}, true, "a table or index over its provisioned capacity"},
		{"account quota", &types.RequestLimitExceeded{}, true, "the account over its throughput quota"},
		{"control plane", &types.ThrottlingException{}, true, "table operations too fast"},
		{"capacity as returned", asReturned(&types.ProvisionedThroughputExceededException{}), true,
			"the SDK wraps the service error in operation and retry errors"},
		{"generic code", asReturned(&smithy.GenericAPIError{Code: "ThrottlingException"}), true,
			"an error the SDK has no type for is known by its code"},
		{"wrapped by the caller", fmt.Errorf("load product: %w", &types.RequestLimitExceeded{}), true, "a store's own wrapping"},
		{"nil", nil, false, "no error"},
		{"other code", &smithy.GenericAPIError{Code: "InternalServerError"}, false, "a server failure is not throttling"},
		{"deadline", context.DeadlineExceeded, false, "a timeout is not throttling"},
		{"missing table from dynalite", missingTable, false, "a real ResourceNotFoundException"},
		{"failed condition from dynalite", conditionFailed, false, "a real ConditionalCheckFailedException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name != "nil" && tt.err == nil {
				t.Fatal("the setup produced no error")
			}
			if got := dynamodb.IsThrottled(tt.err); got != tt.want {
				t.Errorf("IsThrottled(%v) = %v, want %v (%s)", tt.err, got, tt.want, tt.reason)
			}
		})
	}
	var condErr *types.ConditionalCheckFailedException
	if !errors.As(conditionFailed, &condErr) {
		t.Errorf("the conditional put failed with %v, want ConditionalCheckFailedException", conditionFailed)
	}
}
