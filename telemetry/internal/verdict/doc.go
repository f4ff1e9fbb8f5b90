// Package verdict counts what events contribute to a route's readiness:
// since the start, since a mark, and over a sliding window in fixed memory.
package verdict
