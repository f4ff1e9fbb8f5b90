package dualwrite_test

import (
	"errors"
	"fmt"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/example/internal/dualwrite"
)

// Which stores each write mode writes, and which reads it refuses.
func ExampleCheckRead() {
	for _, m := range dualwrite.WriteModes() {
		pg := dualwrite.CheckRead(m, backends.Postgres)
		ddb := dualwrite.CheckRead(m, backends.DynamoDB)
		fmt.Printf("%-14s truth %-8s postgres reads ok %-5v dynamodb reads ok %v\n", m, m.Truth(),
			pg == nil, !errors.Is(ddb, dualwrite.ErrStoreNotWritten))
	}
	// Output:
	// postgres       truth postgres postgres reads ok true  dynamodb reads ok false
	// both           truth postgres postgres reads ok true  dynamodb reads ok true
	// dynamodb-first truth dynamodb postgres reads ok true  dynamodb reads ok true
	// dynamodb       truth dynamodb postgres reads ok false dynamodb reads ok true
}
