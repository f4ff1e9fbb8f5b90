package catalog_test

import (
	"net/http"
	"time"

	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/dualwrite"
	"github.com/shadowread/shadowread/middleware"
)

// A service that answers fast while a store stalls: reads give up after a
// second, the second store of a write gets 100 ms and then the repair log,
// its breaker opens after three failures in a row and probes every two
// seconds, and a shadow of an entity still in a repair log is skipped as
// behind.
func ExampleWithShadowBehind() {
	// The stores and the shadow middleware of a running service.
	var pg *catalog.PostgresStore
	var ddb *catalog.DynamoDBStore
	var shadow *middleware.Shadower
	writer := dualwrite.New(pg, ddb,
		dualwrite.WithSecondWriteBudget(100*time.Millisecond),
		dualwrite.WithBreaker(3, 2*time.Second))
	routes := catalog.NewRouter(catalog.NewStores(pg, ddb), shadow.Handler,
		catalog.WithWriteRoutes(writer.Mount),
		catalog.WithReadTimeout(time.Second),
		catalog.WithShadowBehind(dualwrite.NewRepairLogs(pg, ddb), middleware.ShadowBehind))
	_ = http.ListenAndServe("127.0.0.1:8080", routes)
}
