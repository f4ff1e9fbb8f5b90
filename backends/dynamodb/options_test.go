package dynamodb_test

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/internal/testenv"
)

// TestNilOptionsMeanDefaults checks the package's rule for options: a nil
// Option is ignored and a nil argument means the default, so a client built
// with them works as one built without them (and Close, with the package's
// own HTTP client, leaves no goroutine behind: goleak checks in TestMain).
func TestNilOptionsMeanDefaults(t *testing.T) {
	tests := []struct {
		name   string
		opt    dynamodb.Option
		reason string
	}{
		{"nil option", nil, "a nil Option is ignored"},
		{"nil http client", dynamodb.WithHTTPClient(nil), "the package's own HTTP client"},
		{"nil *http.Client", dynamodb.WithHTTPClient((*http.Client)(nil)), "a typed nil is nil too"},
		{"nil throttle", dynamodb.WithThrottle(nil), "throttling is not noted"},
		{"nil tracer provider", dynamodb.WithTracerProvider(nil), "the global tracer provider"},
	}
	endpoint := testenv.DynamoDBEndpoint(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, err := dynamodb.New(t.Context(), dynamodb.WithEndpoint(endpoint), tt.opt)
			if err != nil {
				t.Fatalf("New: %v (%s)", err, tt.reason)
			}
			defer client.Close()
			if _, err := client.ListTables(t.Context(), &awsddb.ListTablesInput{Limit: aws.Int32(1)}); err != nil {
				t.Errorf("ListTables: %v (%s)", err, tt.reason)
			}
		})
	}
}
