package dynamodb_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/shadowread/shadowread/backends/dynamodb"
)

// stalledServer accepts connections and never answers, as a DynamoDB
// endpoint that stalls does. It returns the endpoint.
func stalledServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

func TestCallTimeoutEndsACallToAStalledServer(t *testing.T) {
	endpoint := stalledServer(t)
	tests := []struct {
		name   string
		opts   []dynamodb.Option
		ctx    func(context.Context) (context.Context, context.CancelFunc)
		reason string
	}{
		{"WithCallTimeout", []dynamodb.Option{dynamodb.WithCallTimeout(100 * time.Millisecond)},
			func(ctx context.Context) (context.Context, context.CancelFunc) { return ctx, func() {} },
			"the package's deadline ends a call whose caller set none"},
		{"caller's deadline", []dynamodb.Option{dynamodb.WithCallTimeout(0)},
			func(ctx context.Context) (context.Context, context.CancelFunc) {
				return context.WithTimeout(ctx, 100*time.Millisecond)
			},
			"with no deadline of the package's own, the caller's still ends the call"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ddb := newTraced(t, endpoint, tt.opts...)
			ctx, cancel := tt.ctx(t.Context())
			defer cancel()
			_, err := ddb.client.GetItem(ctx, &awsddb.GetItemInput{
				TableName: aws.String("t"),
				Key:       map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "a"}},
			})
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want context.DeadlineExceeded (%s)", err, tt.reason)
			}
			if n := len(spansNamed(ddb.rec, "DynamoDB.GetItem")); n != 1 {
				t.Errorf("%d spans, want 1 for the call", n)
			}
		})
	}
}
