package load

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/internal/testenv"
)

// replayClient is a DynamoDB client of endpoint, closed when t ends.
func replayClient(t *testing.T, endpoint string) *dynamodb.Client {
	t.Helper()
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	c, err := dynamodb.New(t.Context(), dynamodb.WithEndpoint(endpoint), dynamodb.WithHTTPClient(&http.Client{Transport: transport}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestReplayer records dynalite's answers, then changes the table behind
// the Replayer's back: replayed answers are the recorded ones, and only a
// request never seen reaches dynalite.
func TestReplayer(t *testing.T) {
	endpoint := testenv.DynamoDBEndpoint(t)
	direct := replayClient(t, endpoint)
	table := testenv.UniqueName(t, "replay")
	createReplayTable(t, direct, table)
	put := func(id, name string) {
		t.Helper()
		_, err := direct.PutItem(t.Context(), &awsddb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: id}, "sk": &types.AttributeValueMemberS{Value: "item"},
			"name": &types.AttributeValueMemberS{Value: name},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	put("p1", "lamp")

	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	rep := NewReplayer(endpoint, time.Microsecond, &http.Client{Transport: transport})
	srv := httptest.NewServer(rep)
	t.Cleanup(srv.Close)
	client := replayClient(t, srv.URL)
	name := func(id string) string {
		t.Helper()
		// A key of two attributes: the SDK writes them in random order.
		item, err := dynamodb.MapGetItem(client.GetItem(t.Context(), &awsddb.GetItemInput{
			TableName: aws.String(table), ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: id}, "sk": &types.AttributeValueMemberS{Value: "item"}},
		}))
		if err != nil {
			return err.Error()
		}
		s, _ := item["name"].(*types.AttributeValueMemberS)
		if s == nil {
			return "(no name)"
		}
		return s.Value
	}

	if got := name("p1"); got != "lamp" {
		t.Fatalf("recording: p1 named %q, want lamp", got)
	}
	missing := name("p2")
	put("p1", "changed")
	put("p2", "chair")
	rep.Replay(true)

	tests := []struct {
		name, id, want string
		reason         string
	}{
		{"recorded item", "p1", "lamp", "the recorded answer, not the table's current one"},
		{"recorded miss", "p2", missing, "a missing item stays missing as recorded"},
		{"recorded item again", "p1", "lamp", "every replay matches, whatever order the SDK wrote the key in"},
		{"never seen", "p3", missing, "an unrecorded request goes to dynalite, which has no p3 either"},
	}
	for _, tt := range tests {
		for range 10 {
			if got := name(tt.id); got != tt.want {
				t.Fatalf("%s: %s named %q, want %q (%s)", tt.name, tt.id, got, tt.want, tt.reason)
			}
		}
	}
	got := rep.Stats()
	want := ReplayStats{Recorded: 3, Hits: 39, Misses: 1}
	if got != want {
		t.Errorf("stats %+v, want %+v: three requests recorded; 30 replays of p1 and p2, then p3 passed on once and replayed 9 times", got, want)
	}
}

func createReplayTable(t *testing.T, c *dynamodb.Client, table string) {
	t.Helper()
	_, err := c.CreateTable(t.Context(), &awsddb.CreateTableInput{
		TableName: aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		BillingMode: types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
	waiter := awsddb.NewTableExistsWaiter(c, func(o *awsddb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 100*time.Millisecond
	})
	if err := waiter.Wait(t.Context(), &awsddb.DescribeTableInput{TableName: aws.String(table)}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
}
