package catalog_test

import (
	"fmt"
	"time"

	"github.com/shadowread/shadowread/example/internal/catalog"
)

func ExampleCursor() {
	// The cursor of the page after an order, as the list endpoint returns it.
	last := catalog.Order{ID: 4711, CreatedAt: time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC)}
	token := catalog.CursorAfter(last).Encode()

	// Either store continues the list from it.
	c, err := catalog.DecodeCursor(token)
	fmt.Println(c.OrderID, c.CreatedAt.Format(time.RFC3339Nano), err)
	// Output: 4711 2026-03-01T10:00:00.123456Z <nil>
}
