package catalog

import (
	"encoding/json"
	"time"
)

// Product is a catalog product with its variants, as the read endpoint
// serves it from either store.
type Product struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Category    string    `json:"category"`
	Variants    []Variant `json:"variants"`
	CreatedAt   time.Time `json:"created_at"`
	// UpdatedAt is the product's version: every change to the product or
	// one of its variants moves it forward, and the DynamoDB items of the
	// product carry it for conditional writes.
	UpdatedAt time.Time `json:"updated_at"`
}

// Variant is one sellable variant of a product (a size, a colour).
type Variant struct {
	SKU  string `json:"sku"`
	Name string `json:"name"`
	// Price is the Decimal text the store holds: PostgreSQL's NUMERIC(12,2)
	// says 12.50 where DynamoDB, which normalises numbers, says 12.5. Both
	// are JSON numbers of the same value.
	Price    json.Number `json:"price"`
	Currency string      `json:"currency"`
}

// Order is a customer's order with its lines.
type Order struct {
	ID         int64       `json:"id"`
	CustomerID int64       `json:"customer_id"`
	Status     string      `json:"status"`
	Currency   string      `json:"currency"`
	Total      json.Number `json:"total"`
	Lines      []OrderLine `json:"lines"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

// OrderLine is one line of an order: a variant, a quantity and the unit
// price at the time of the order.
type OrderLine struct {
	SKU       string      `json:"sku"`
	Quantity  int         `json:"quantity"`
	UnitPrice json.Number `json:"unit_price"`
}

// OrderPage is one page of a customer's orders, newest first.
type OrderPage struct {
	Orders []Order `json:"orders"`
	// NextCursor fetches the next page; it is absent on the last page.
	NextCursor string `json:"next_cursor,omitempty"`
	// RequestID names this response for support requests and the logs: a
	// new random id on every read, so two reads of the same store differ
	// in it (the noise baseline of the middleware learns it as noise).
	RequestID string `json:"request_id"`
}

// Order statuses, in the order an order goes through them.
const (
	StatusPending   = "pending"
	StatusPaid      = "paid"
	StatusShipped   = "shipped"
	StatusDelivered = "delivered"
	StatusCancelled = "cancelled"
)

// Customer is a customer. The service reads customers only to check that
// an order's customer exists; DynamoDB keeps a profile item per customer
// for the writes that run on DynamoDB alone.
type Customer struct {
	ID        int64
	Name      string
	Email     string
	CreatedAt time.Time
}
