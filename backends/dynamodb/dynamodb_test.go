package dynamodb_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/internal/testenv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// traced is a client of the shared dynalite whose spans go to rec.
type traced struct {
	client *dynamodb.Client
	rec    *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
}

func newTraced(t *testing.T, endpoint string, opts ...dynamodb.Option) traced {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	opts = append([]dynamodb.Option{dynamodb.WithEndpoint(endpoint), dynamodb.WithTracerProvider(tp)}, opts...)
	client, err := dynamodb.New(t.Context(), opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(client.Close)
	return traced{client: client, rec: rec, tp: tp}
}

func key(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: id}}
}

// createTable creates a table with a string partition key "pk" and waits
// until it is active.
func createTable(t *testing.T, client *dynamodb.Client, name string) {
	t.Helper()
	_, err := client.CreateTable(t.Context(), &awsddb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("CreateTable %s: %v", name, err)
	}
	// dynalite makes a table active after 50 ms; the waiter's default first
	// pause is 20 s.
	waiter := awsddb.NewTableExistsWaiter(client, func(o *awsddb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 100*time.Millisecond
	})
	if err := waiter.Wait(t.Context(), &awsddb.DescribeTableInput{TableName: aws.String(name)}, 30*time.Second); err != nil {
		t.Fatalf("wait for table %s: %v", name, err)
	}
}

func spansNamed(rec *tracetest.SpanRecorder, name string) []sdktrace.ReadOnlySpan {
	var found []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Name() == name {
			found = append(found, s)
		}
	}
	return found
}

func attrsOf(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := make(map[attribute.Key]attribute.Value)
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestPutGetAndSpans(t *testing.T) {
	ddb := newTraced(t, testenv.DynamoDBEndpoint(t))
	table := testenv.UniqueName(t, "products")
	createTable(t, ddb.client, table)
	ctx, parent := ddb.tp.Tracer("test").Start(t.Context(), "handler")

	item := key("p1")
	item["name"] = &types.AttributeValueMemberS{Value: "lamp"}
	if _, err := ddb.client.PutItem(ctx, &awsddb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	got, err := dynamodb.MapGetItem(ddb.client.GetItem(ctx, &awsddb.GetItemInput{TableName: aws.String(table), Key: key("p1")}))
	if err != nil {
		t.Fatalf("GetItem p1: %v", err)
	}
	if name, _ := got["name"].(*types.AttributeValueMemberS); name == nil || name.Value != "lamp" {
		t.Errorf("item p1 = %v, want name lamp", got)
	}
	_, err = dynamodb.MapGetItem(ddb.client.GetItem(ctx, &awsddb.GetItemInput{TableName: aws.String(table), Key: key("p2")}))
	if !errors.Is(err, backends.ErrNotFound) {
		t.Errorf("GetItem of a missing key: err = %v, want backends.ErrNotFound", err)
	}

	if n := len(spansNamed(ddb.rec, "DynamoDB.PutItem")); n != 1 {
		t.Errorf("%d DynamoDB.PutItem spans, want 1", n)
	}
	gets := spansNamed(ddb.rec, "DynamoDB.GetItem")
	if len(gets) != 2 {
		t.Fatalf("%d DynamoDB.GetItem spans, want 2", len(gets))
	}
	span := gets[0]
	if span.SpanKind() != trace.SpanKindClient {
		t.Errorf("span kind = %v, want client", span.SpanKind())
	}
	if span.Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Error("the call's span is not a child of the caller's span: calls must join the request's trace")
	}
	if span.Status().Code != codes.Unset {
		t.Errorf("status = %v, want unset for a call that succeeded", span.Status())
	}
	attrs := attrsOf(span)
	want := map[attribute.Key]string{
		"db.system":         "dynamodb",
		"rpc.system":        "aws-api",
		"rpc.service":       "DynamoDB",
		"rpc.method":        "GetItem",
		"db.operation.name": "GetItem",
		"cloud.region":      "us-east-1",
	}
	for k, v := range want {
		if got := attrs[k].AsString(); got != v {
			t.Errorf("attribute %s = %q, want %q", k, got, v)
		}
	}
	if got := attrs["aws.dynamodb.table_names"].AsStringSlice(); len(got) != 1 || got[0] != table {
		t.Errorf("aws.dynamodb.table_names = %q, want [%s]", got, table)
	}
	if attrs["aws.request_id"].AsString() == "" {
		t.Error("aws.request_id is missing: it ties a span to the server's logs")
	}
}

func TestFailedCallSpan(t *testing.T) {
	ddb := newTraced(t, testenv.DynamoDBEndpoint(t))
	table := testenv.UniqueName(t, "missing")
	_, err := ddb.client.GetItem(t.Context(), &awsddb.GetItemInput{TableName: aws.String(table), Key: key("p1")})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("GetItem on a missing table: err = %v, want ResourceNotFoundException", err)
	}
	spans := spansNamed(ddb.rec, "DynamoDB.GetItem")
	if len(spans) != 1 {
		t.Fatalf("%d spans, want 1", len(spans))
	}
	span := spans[0]
	if span.Status().Code != codes.Error {
		t.Errorf("status = %v, want error", span.Status())
	}
	if got := attrsOf(span)["error.type"].AsString(); got != "ResourceNotFoundException" {
		t.Errorf("error.type = %q, want the AWS error code", got)
	}
	if len(span.Events()) == 0 || span.Events()[0].Name != "exception" {
		t.Errorf("events = %v, want the error recorded", span.Events())
	}
}

func TestBatchSpanNamesEveryTable(t *testing.T) {
	ddb := newTraced(t, testenv.DynamoDBEndpoint(t))
	orders, products := testenv.UniqueName(t, "orders"), testenv.UniqueName(t, "products")
	createTable(t, ddb.client, orders)
	createTable(t, ddb.client, products)
	_, err := ddb.client.BatchGetItem(t.Context(), &awsddb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		products: {Keys: []map[string]types.AttributeValue{key("p1")}},
		orders:   {Keys: []map[string]types.AttributeValue{key("o1")}},
	}})
	if err != nil {
		t.Fatalf("BatchGetItem: %v", err)
	}
	spans := spansNamed(ddb.rec, "DynamoDB.BatchGetItem")
	if len(spans) != 1 {
		t.Fatalf("%d spans, want 1", len(spans))
	}
	got := attrsOf(spans[0])["aws.dynamodb.table_names"].AsStringSlice()
	if strings.Join(got, ",") != orders+","+products {
		t.Errorf("aws.dynamodb.table_names = %q, want both tables in order", got)
	}
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	endpoint := testenv.DynamoDBEndpoint(t)
	before := goleak.IgnoreCurrent()
	client, err := dynamodb.New(t.Context(), dynamodb.WithEndpoint(endpoint))
	if err != nil {
		t.Fatal(err)
	}
	// A call leaves a kept-alive connection with its reader and writer goroutines.
	if _, err := client.ListTables(t.Context(), &awsddb.ListTablesInput{Limit: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	client.Close()
	goleak.VerifyNone(t, before)
}

// errCredentials is a credential source that always fails.
type errCredentials struct{}

func (errCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{}, errors.New("no credentials here")
}

func TestNewNeedsRegionAndCredentials(t *testing.T) {
	tests := []struct {
		name    string
		opts    []dynamodb.Option
		wantErr string
		reason  string
	}{
		{"nothing", nil, "no region", "a client against AWS needs a region"},
		{"region only", []dynamodb.Option{dynamodb.WithRegion("eu-west-1")}, "no credentials", "and credentials"},
		{"failing credentials", []dynamodb.Option{dynamodb.WithConfig(aws.Config{Region: "eu-west-1", Credentials: errCredentials{}})},
			"retrieve credentials", "a broken credential chain fails at start-up"},
		{"region and static credentials", []dynamodb.Option{dynamodb.WithRegion("eu-west-1"), dynamodb.WithStaticCredentials("id", "secret")},
			"", "enough for AWS"},
		{"loaded config", []dynamodb.Option{dynamodb.WithConfig(aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("id", "secret", "")})},
			"", "a caller's aws.Config"},
		{"endpoint only", []dynamodb.Option{dynamodb.WithEndpoint("http://127.0.0.1:8000")}, "", "local servers get a region and dummy credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, err := dynamodb.New(t.Context(), tt.opts...)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v (%s)", err, tt.reason)
				}
				client.Close()
				return
			}
			if err == nil {
				client.Close()
				t.Fatalf("New succeeded, want an error containing %q (%s)", tt.wantErr, tt.reason)
			}
			if !strings.HasPrefix(err.Error(), "dynamodb: ") || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q, want a dynamodb: error containing %q (%s)", err, tt.wantErr, tt.reason)
			}
		})
	}
}

func TestOptionMisusePanics(t *testing.T) {
	tests := []struct {
		name    string
		option  func()
		wantMsg string
	}{
		{"endpoint without scheme", func() { dynamodb.WithEndpoint("127.0.0.1:8000") }, "WithEndpoint"},
		{"empty endpoint", func() { dynamodb.WithEndpoint("") }, "WithEndpoint"},
		{"empty region", func() { dynamodb.WithRegion("") }, "WithRegion"},
		{"empty key", func() { dynamodb.WithStaticCredentials("", "secret") }, "WithStaticCredentials"},
		{"no attempts", func() { dynamodb.WithMaxAttempts(0) }, "WithMaxAttempts(0)"},
		{"negative timeout", func() { dynamodb.WithCallTimeout(-time.Second) }, "WithCallTimeout(-1s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "dynamodb: ") || !strings.Contains(msg, tt.wantMsg) {
					t.Errorf("panic = %q, want a dynamodb: panic mentioning %q", msg, tt.wantMsg)
				}
			}()
			tt.option()
		})
	}
}
