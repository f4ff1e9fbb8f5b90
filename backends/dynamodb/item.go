package dynamodb

import (
	"fmt"

	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/shadowread/shadowread/backends"
)

// ItemOrNotFound returns the item of a GetItem call, or an error that is
// [backends.ErrNotFound] when there is none: DynamoDB answers a missing key
// with an empty output, not an error. It takes GetItem's results as they are:
//
//	item, err := dynamodb.ItemOrNotFound(client.GetItem(ctx, input))
//
// A failed call's error is wrapped with the package's prefix.
func ItemOrNotFound(out *awsddb.GetItemOutput, err error) (map[string]types.AttributeValue, error) {
	if err != nil {
		return nil, fmt.Errorf("dynamodb: %w", err)
	}
	if out == nil || out.Item == nil {
		return nil, fmt.Errorf("dynamodb: %w", backends.ErrNotFound)
	}
	return out.Item, nil
}
