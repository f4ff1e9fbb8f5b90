package testenv_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/shadowread/shadowread/internal/testenv"
)

// dynamoClient returns a plain SDK client for endpoint whose connections are
// closed when the test ends.
func dynamoClient(t *testing.T, endpoint string) *awsddb.Client {
	t.Helper()
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	return awsddb.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:       &http.Client{Transport: transport},
		RetryMaxAttempts: 1,
	}, func(o *awsddb.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

func createTable(t *testing.T, client *awsddb.Client, name string) {
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

func TestDynaliteStopAndStartKeepPortAndTables(t *testing.T) {
	d := testenv.StartDynalite(t)
	endpoint := d.Endpoint()
	client := dynamoClient(t, endpoint)
	table := testenv.UniqueName(t, "restart")
	createTable(t, client, table)
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "p1"}}
	if _, err := client.PutItem(t.Context(), &awsddb.PutItemInput{TableName: aws.String(table), Item: key}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}

	d.Stop()
	_, err := client.GetItem(t.Context(), &awsddb.GetItemInput{TableName: aws.String(table), Key: key})
	if opErr := (*net.OpError)(nil); !errors.As(err, &opErr) {
		t.Fatalf("GetItem on a stopped server: err = %v, want a network error", err)
	}
	d.Stop() // a second Stop does nothing

	d.Start()
	if d.Endpoint() != endpoint {
		t.Errorf("endpoint after restart = %s, want %s: clients keep their endpoint", d.Endpoint(), endpoint)
	}
	out, err := client.GetItem(t.Context(), &awsddb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("GetItem after restart: %v", err)
	}
	if out.Item == nil {
		t.Error("the item written before the restart is gone: a restart must keep the data")
	}
}

// A shadow read that outlives its timeout hangs up before dynalite answers.
// dynalite's own cli.js exits then; the launcher must keep it serving.
func TestDynaliteSurvivesClientsThatHangUp(t *testing.T) {
	for _, endpoint := range []string{testenv.DynamoDBEndpoint(t), testenv.StartDynalite(t).Endpoint()} {
		addr := strings.TrimPrefix(endpoint, "http://")
		for range 3 {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			// A head that promises 100 bytes of body, then only a few of them.
			io.WriteString(conn, "POST / HTTP/1.1\r\nHost: "+addr+"\r\nContent-Length: 100\r\n"+
				"X-Amz-Target: DynamoDB_20120810.ListTables\r\n\r\n{\"Lim")
			conn.Close()
		}
		if _, err := dynamoClient(t, endpoint).ListTables(t.Context(), &awsddb.ListTablesInput{}); err != nil {
			t.Errorf("%s after clients hung up: %v", endpoint, err)
		}
	}
}
