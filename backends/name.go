package backends

import "fmt"

// Name identifies a backend store.
type Name string

const (
	// Postgres is the PostgreSQL store, the source of truth before the switch.
	Postgres Name = "postgres"
	// DynamoDB is the DynamoDB store the service migrates to.
	DynamoDB Name = "dynamodb"
)

// Names lists the known backends.
func Names() []Name { return []Name{Postgres, DynamoDB} }

// Valid reports whether n is a known backend.
func (n Name) Valid() bool { return n == Postgres || n == DynamoDB }

// Other returns the backend that is not n: the shadow of a primary.
// It returns DynamoDB for any name other than DynamoDB.
func (n Name) Other() Name {
	if n == DynamoDB {
		return Postgres
	}
	return DynamoDB
}

// String returns the name.
func (n Name) String() string { return string(n) }

// ParseName returns the backend called s ("postgres" or "dynamodb").
func ParseName(s string) (Name, error) {
	n := Name(s)
	if !n.Valid() {
		return "", fmt.Errorf("backends: unknown backend %q (want %q or %q)", s, Postgres, DynamoDB)
	}
	return n, nil
}
