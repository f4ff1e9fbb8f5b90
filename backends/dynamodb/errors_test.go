package dynamodb_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/internal/testenv"
)

// storeErrors are real answers of dynalite: a GetItem of a stored key, of a
// missing key and of a missing table, and a conditional put that failed.
type storeErrors struct {
	found, missing    *awsddb.GetItemOutput
	foundErr, missErr error
	missingTable      error
	conditionFailed   error
}

func answers(t *testing.T) storeErrors {
	t.Helper()
	ddb := newTraced(t, testenv.DynamoDBEndpoint(t))
	table := testenv.UniqueName(t, "errors")
	createTable(t, ddb.client, table)
	ctx := t.Context()
	if _, err := ddb.client.PutItem(ctx, &awsddb.PutItemInput{TableName: aws.String(table), Item: key("p1")}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	var a storeErrors
	a.found, a.foundErr = ddb.client.GetItem(ctx, &awsddb.GetItemInput{TableName: aws.String(table), Key: key("p1")})
	a.missing, a.missErr = ddb.client.GetItem(ctx, &awsddb.GetItemInput{TableName: aws.String(table), Key: key("p2")})
	_, a.missingTable = ddb.client.GetItem(ctx, &awsddb.GetItemInput{TableName: aws.String(table + "-missing"), Key: key("p1")})
	_, a.conditionFailed = ddb.client.PutItem(ctx, &awsddb.PutItemInput{
		TableName: aws.String(table), Item: key("p1"), ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if a.foundErr != nil || a.missErr != nil || a.missingTable == nil || a.conditionFailed == nil {
		t.Fatalf("dynalite answered found=%v missing=%v missing table=%v condition=%v", a.foundErr, a.missErr, a.missingTable, a.conditionFailed)
	}
	return a
}

func TestMapGetItem(t *testing.T) {
	a := answers(t)
	var missingTable *types.ResourceNotFoundException
	tests := []struct {
		name     string
		out      *awsddb.GetItemOutput
		err      error
		wantItem bool
		wantIs   error // the error must be this one (errors.Is)
		reason   string
	}{
		{"found", a.found, a.foundErr, true, nil, "a stored key gives its item"},
		{"missing key", a.missing, a.missErr, false, backends.ErrNotFound, "DynamoDB's empty output becomes the stores' not found"},
		{"nil output", nil, nil, false, backends.ErrNotFound, "no output at all is no item either"},
		{"failed call", nil, a.missingTable, false, a.missingTable, "a failure is wrapped, not turned into not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			item, err := dynamodb.MapGetItem(tt.out, tt.err)
			if (item != nil) != tt.wantItem {
				t.Errorf("item = %v, want one: %v (%s)", item, tt.wantItem, tt.reason)
			}
			if tt.wantIs == nil && err != nil {
				t.Errorf("err = %v, want nil (%s)", err, tt.reason)
			}
			if tt.wantIs != nil && (!errors.Is(err, tt.wantIs) || !strings.HasPrefix(err.Error(), "dynamodb: ")) {
				t.Errorf("err = %v, want a dynamodb: error that is %v (%s)", err, tt.wantIs, tt.reason)
			}
			if tt.err != nil && errors.Is(err, backends.ErrNotFound) {
				t.Errorf("err = %v is backends.ErrNotFound, want only the call's failure (%s)", err, tt.reason)
			}
		})
	}
	if _, err := dynamodb.MapGetItem(nil, a.missingTable); !errors.As(err, &missingTable) {
		t.Errorf("errors.As(MapGetItem of a missing table, *types.ResourceNotFoundException) lost the SDK's error: %v", err)
	}
}

func TestMapError(t *testing.T) {
	a := answers(t)
	var condition *types.ConditionalCheckFailedException
	tests := []struct {
		name   string
		err    error
		wantAs any // a pointer errors.As must fill; nil for no check
		reason string
	}{
		{"nil", nil, nil, "no error stays no error"},
		{"conditional check", a.conditionFailed, &condition, "the SDK's typed error stays reachable for errors.As"},
		{"deadline", context.DeadlineExceeded, nil, "errors.Is still sees context errors"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := dynamodb.MapError(tt.err)
			if tt.err == nil {
				if got != nil {
					t.Errorf("MapError(nil) = %v, want nil (%s)", got, tt.reason)
				}
				return
			}
			if !errors.Is(got, tt.err) || got.Error() != "dynamodb: "+tt.err.Error() {
				t.Errorf("MapError(%v) = %v, want it wrapped with the package prefix (%s)", tt.err, got, tt.reason)
			}
			if errors.Is(got, backends.ErrNotFound) {
				t.Errorf("MapError(%v) is backends.ErrNotFound (%s)", tt.err, tt.reason)
			}
			if tt.wantAs != nil && !errors.As(got, tt.wantAs) {
				t.Errorf("errors.As(MapError(%v)) failed (%s)", tt.err, tt.reason)
			}
		})
	}
}
