// Package flagdcheck tests cutover.FlagFile against flagd: the flag file
// the controller writes is read by the flagd provider's file sync, and the
// flags package moves the share of users it names, route by route; and the
// whole loop (telemetry, cutover.Local, the controller, the flag file,
// flagd, flags.Flags) promotes one route and rolls back another on an
// injected regression. It lives in this module because flagd's provider (and with it gRPC and
// protobuf) must not enter the library's module graph.
//
//	cd tools/cutover && go test -race ./flagdcheck
package flagdcheck
