package shop

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Product is a product with its variants, ordered by SKU.
type Product struct {
	ID          int64     `json:"id"`
	Category    string    `json:"category"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	UpdatedAt   time.Time `json:"updated_at"`
	Variants    []Variant `json:"variants"`
}

// Variant is one sellable size of a product.
type Variant struct {
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Price    Amount `json:"price"`
	Currency string `json:"currency"`
}

// Order is a customer's order with its lines.
type Order struct {
	ID         int64       `json:"id"`
	CustomerID int64       `json:"customer_id"`
	Status     string      `json:"status"`
	Total      Amount      `json:"total"`
	Currency   string      `json:"currency"`
	Lines      []OrderLine `json:"lines"`
	CreatedAt  time.Time   `json:"created_at"`
}

// OrderLine is a quantity of a variant at its price when ordered.
type OrderLine struct {
	SKU       string `json:"sku"`
	Quantity  int    `json:"quantity"`
	UnitPrice Amount `json:"unit_price"`
}

// OrderList is a customer's most recent orders.
type OrderList struct {
	Orders []Order `json:"orders"`
}

// Amount is a decimal amount as its store spells it: "8.70" from
// PostgreSQL, "8.7" from DynamoDB. It is a number in JSON and a Number
// attribute in DynamoDB.
type Amount string

// MarshalJSON writes the amount as a JSON number.
func (a Amount) MarshalJSON() ([]byte, error) { return json.Marshal(json.Number(a)) }

// MarshalDynamoDBAttributeValue writes the amount as a Number.
func (a Amount) MarshalDynamoDBAttributeValue() (types.AttributeValue, error) {
	return &types.AttributeValueMemberN{Value: string(a)}, nil
}

// UnmarshalDynamoDBAttributeValue reads a Number.
func (a *Amount) UnmarshalDynamoDBAttributeValue(av types.AttributeValue) error {
	n, ok := av.(*types.AttributeValueMemberN)
	if !ok {
		return fmt.Errorf("shop: an amount must be a Number, got %T", av)
	}
	*a = Amount(n.Value)
	return nil
}
