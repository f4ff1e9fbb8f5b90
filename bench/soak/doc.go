// Package soak is the fault run behind `make soak`: the example service
// under steady load with shadowing at 100 %, while a timeline of faults
// stalls and stops each store, flips the shadowing flags and moves a share
// of customers to DynamoDB as primary. Every sample interval it prints the
// service's RSS, goroutines, heap, shadows in flight, user errors and p99;
// at the end it checks that no healthy primary's read failed, no write was
// lost, the stores are equal and every level came back to its plateau.
//
// It runs minutes, so it is not part of `go test ./...`: its test file
// needs the build tag soak.
//
//	go test -tags soak -run TestSoak -count=1 -v -timeout 20m ./soak/
//
// Settings from the environment: SOAK_RATE (requests/s, default 100) and
// SOAK_SAMPLE (the sample interval, default 30s).
package soak
