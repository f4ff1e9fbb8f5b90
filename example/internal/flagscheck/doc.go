// Package flagscheck tests the library's flags package over flagd, the flag
// provider the example service runs with, through the public API only:
// sticky fractional splits in exact mode, cached mode following an edited
// flag file, and the cost of a decision next to OpenFeature's in-memory
// provider.
//
// These tests live in the example module because it already depends on
// flagd (and with it gRPC, connect, protobuf and zap); in the library's
// module they would put all of that into the module graph of every user.
//
//	cd example && go test -race ./flagscheck
//	cd example && go test -run '^$' -bench . ./flagscheck
package flagscheck
