package dynamodb_test

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/internal/testenv"
)

// attemptCounter counts the HTTP attempts of each call: it sits after the
// SDK's retry step, so it runs once per attempt.
type attemptCounter struct{ attempts int }

func (c *attemptCounter) addTo(stack *middleware.Stack) error {
	return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("test.CountAttempts",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			c.attempts++
			return next.HandleFinalize(ctx, in)
		}), "Retry", middleware.After)
}

func TestMaxAttempts(t *testing.T) {
	// A server that has gone away: connection refused, which the SDK retries.
	server := testenv.StartDynalite(t)
	server.Stop()

	tests := []struct {
		name   string
		opts   []dynamodb.Option
		want   int
		reason string
	}{
		{"default", nil, 2, "one retry: a shadow read must not retry for long"},
		{"no retries", []dynamodb.Option{dynamodb.WithMaxAttempts(1)}, 1, "WithMaxAttempts(1) turns retries off"},
		{"more", []dynamodb.Option{dynamodb.WithMaxAttempts(3)}, 3, "a primary read may try harder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counter := &attemptCounter{}
			opts := append([]dynamodb.Option{dynamodb.WithConfig(aws.Config{APIOptions: []func(*middleware.Stack) error{counter.addTo}})}, tt.opts...)
			ddb := newTraced(t, server.Endpoint(), opts...)
			_, err := ddb.client.ListTables(t.Context(), &awsddb.ListTablesInput{})
			if opErr := (*net.OpError)(nil); !errors.As(err, &opErr) {
				t.Fatalf("ListTables against a stopped server: err = %v, want a network error", err)
			}
			if counter.attempts != tt.want {
				t.Errorf("%d attempts, want %d (%s)", counter.attempts, tt.want, tt.reason)
			}
			if n := len(spansNamed(ddb.rec, "DynamoDB.ListTables")); n != 1 {
				t.Errorf("%d spans for one call, want 1: the span covers the retries", n)
			}
		})
	}
}
