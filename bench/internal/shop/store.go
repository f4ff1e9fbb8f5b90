package shop

import "context"

// Store reads the shop. The PostgreSQL and the DynamoDB store implement it;
// a missing product or order is an error that is [backends.ErrNotFound].
//
// [backends.ErrNotFound]: https://pkg.go.dev/github.com/shadowread/shadowread/backends#ErrNotFound
type Store interface {
	Product(ctx context.Context, id int64) (Product, error)
	Order(ctx context.Context, id int64) (Order, error)
	// CustomerOrders returns the customer's newest orders, at most limit.
	CustomerOrders(ctx context.Context, customerID int64, limit int) ([]Order, error)
}
