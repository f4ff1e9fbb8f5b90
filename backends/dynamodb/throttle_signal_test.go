package dynamodb_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/internal/testenv"
)

// throttlingProxy stands in front of a DynamoDB-API server and answers the
// first n requests with a real DynamoDB throttling error (HTTP 400 and the
// JSON error body DynamoDB sends), passing the rest through.
func throttlingProxy(t *testing.T, target, code string, n int64) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.Transport = transport
	var seen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) > n {
			proxy.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amzn-Requestid", fmt.Sprintf("THROTTLED%d", seen.Load()))
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":"Rate of requests exceeds the allowed throughput."}`, code)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestWithThrottleNotesThrottledAttempts(t *testing.T) {
	endpoint := testenv.DynamoDBEndpoint(t)
	setup := newTraced(t, endpoint)
	table := testenv.UniqueName(t, "throttled")
	createTable(t, setup.client, table)

	tests := []struct {
		name             string
		code             string
		throttled        int64 // requests the proxy answers with the error
		table            string
		wantErr          bool
		wantLevel        int
		wantThrottledErr bool
		reason           string
	}{
		{"capacity, every attempt", "ProvisionedThroughputExceededException", 100, table, true, 1, true,
			"a table over its capacity refuses the call and its retry"},
		{"account quota, every attempt", "RequestLimitExceeded", 100, table, true, 1, true,
			"the account over its throughput quota"},
		{"throttling, every attempt", "ThrottlingException", 100, table, true, 1, true,
			"the generic throttling code"},
		{"capacity, first attempt only", "ProvisionedThroughputExceededException", 1, table, false, 1, false,
			"a retry made the call good, but the table was short of capacity all the same"},
		{"not throttled", "", 0, table + "-missing", true, 0, false,
			"a missing table (ResourceNotFoundException) is a failure, not throttling"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			throttle := backends.NewThrottle(backends.DynamoDB, time.Minute)
			ddb := newTraced(t, throttlingProxy(t, endpoint, tt.code, tt.throttled), dynamodb.WithThrottle(throttle))
			_, err := ddb.client.GetItem(t.Context(), &awsddb.GetItemInput{TableName: aws.String(tt.table), Key: key("p1")})
			if (err != nil) != tt.wantErr {
				t.Fatalf("GetItem err = %v, want an error: %v (%s)", err, tt.wantErr, tt.reason)
			}
			if got := dynamodb.IsThrottled(err); got != tt.wantThrottledErr {
				t.Errorf("IsThrottled(%v) = %v, want %v", err, got, tt.wantThrottledErr)
			}
			if got := throttle.Level(); got != tt.wantLevel {
				t.Errorf("throttle level %d, want %d (%s)", got, tt.wantLevel, tt.reason)
			}
		})
	}
}

func TestWithThrottleRejectsMisuse(t *testing.T) {
	tests := []struct {
		name     string
		throttle *backends.Throttle
		wantMsg  string
	}{
		{"another store", backends.NewThrottle(backends.Postgres, time.Second), `throttle for "postgres"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "dynamodb: ") || !strings.Contains(msg, tt.wantMsg) {
					t.Errorf("panic = %q, want a dynamodb: panic containing %q", msg, tt.wantMsg)
				}
			}()
			dynamodb.WithThrottle(tt.throttle)
		})
	}
}
