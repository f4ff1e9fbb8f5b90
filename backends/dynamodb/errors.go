package dynamodb

import (
	"fmt"

	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/shadowread/shadowread/backends"
)

// MapError translates an error of a DynamoDB call for a store, as
// postgres.MapError does for PostgreSQL: it is wrapped with the package's
// prefix, and errors.Is and errors.As still reach the original (the SDK's
// types such as *types.ConditionalCheckFailedException, and
// context.DeadlineExceeded). MapError(nil) is nil.
//
// DynamoDB answers a missing key with an empty output, not an error, so a
// GetItem needs [MapGetItem] to give [backends.ErrNotFound].
func MapError(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("dynamodb: %w", err)
}

// MapGetItem translates the results of a GetItem call for a store: the item,
// or an error that is [backends.ErrNotFound] when there is none, so a handler
// answers 404 the same way for either backend. A failed call's error goes
// through [MapError]. It takes GetItem's results as they are:
//
//	item, err := dynamodb.MapGetItem(client.GetItem(ctx, input))
func MapGetItem(out *awsddb.GetItemOutput, err error) (map[string]types.AttributeValue, error) {
	if err != nil {
		return nil, MapError(err)
	}
	if out == nil || out.Item == nil {
		return nil, MapError(backends.ErrNotFound)
	}
	return out.Item, nil
}
