package dualwrite_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/catalogtest"
	"github.com/shadowread/shadowread/example/internal/dualwrite"
	"github.com/shadowread/shadowread/internal/testenv"
)

// hangUpAfterVariant is a proxy in front of the DynamoDB-API server that,
// once armed, calls hangUp when a variant's item has been put: the client
// of a price change hangs up between the change's two items.
type hangUpAfterVariant struct {
	proxy  *httputil.ReverseProxy
	armed  atomic.Bool
	once   sync.Once
	hangUp context.CancelFunc
}

func (h *hangUpAfterVariant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	h.proxy.ServeHTTP(w, r)
	if h.armed.Load() && r.Header.Get("X-Amz-Target") == "DynamoDB_20120810.PutItem" && bytes.Contains(body, []byte(`"sku"`)) {
		h.once.Do(h.hangUp)
	}
}

// TestPriceChangeOutlivesTheClient: with DynamoDB the source of truth, a
// price change writes the variant's item and then the product's version.
// A client that hangs up between the two must not leave the product with
// the new price under its old version, which no later write or repair
// would set right: the change runs to its end and both stores agree.
func TestPriceChangeOutlivesTheClient(t *testing.T) {
	target, err := url.Parse(testenv.DynamoDBEndpoint(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, hangUp := context.WithCancel(context.Background())
	defer hangUp()
	proxy := &hangUpAfterVariant{proxy: httputil.NewSingleHostReverseProxy(target), hangUp: hangUp}
	srv := httptest.NewServer(proxy)
	defer srv.Close()

	e := catalogtest.NewEnv(t, srv.URL)
	e.SeedSmall(t)
	e.Backfill(t)
	w := dualwrite.New(e.PG, e.DDB, dualwrite.WithWriteModes(dualwrite.FixedWriteMode(dualwrite.WriteDynamoDBFirst)),
		dualwrite.WithLogger(slog.New(slog.DiscardHandler)))
	proxy.armed.Store(true)
	if _, err := w.SetPrice(ctx, 2, "P2", "14.00"); err != nil {
		t.Fatalf("SetPrice: %v; want the change to finish although its client hung up after the variant's item", err)
	}
	if ctx.Err() == nil {
		t.Fatal("the client never hung up: the proxy saw no variant's item put")
	}
	h := catalog.NewRouter(e.Stores, nil)
	_, inPostgres := catalogtest.FromStore(t, h, backends.Postgres, "/products/2")
	_, inDynamoDB := catalogtest.FromStore(t, h, backends.DynamoDB, "/products/2")
	if !catalogtest.EqualJSON(t, inPostgres, inDynamoDB) {
		t.Errorf("product 2 differs between the stores:\npostgres %s\ndynamodb %s", inPostgres, inDynamoDB)
	}
	if _, price := catalogtest.Stored(t, e, backends.DynamoDB, 0); price != "14" {
		t.Errorf("DynamoDB's price %q, want 14", price)
	}
}
