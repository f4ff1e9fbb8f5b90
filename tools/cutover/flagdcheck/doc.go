// Package flagdcheck tests cutover.FlagFile against flagd: the flag file
// the controller writes is read by the flagd provider's file sync, and the
// flags package moves the share of users it names, route by route. It
// lives in this module because flagd's provider (and with it gRPC and
// protobuf) must not enter the library's module graph.
//
//	cd tools/cutover && go test -race ./flagdcheck
package flagdcheck
