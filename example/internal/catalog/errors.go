package catalog

import "errors"

// Errors of the write endpoints that are the caller's to fix.
var (
	// ErrInvalid: the request is malformed (bad quantity, bad price).
	ErrInvalid = errors.New("catalog: invalid request")
	// ErrUnknownCustomer: the order is for a customer that does not exist.
	ErrUnknownCustomer = errors.New("catalog: unknown customer")
	// ErrUnknownSKU: an order line names a variant that does not exist.
	ErrUnknownSKU = errors.New("catalog: unknown sku")
)
