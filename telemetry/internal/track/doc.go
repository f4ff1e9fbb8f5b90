// Package track is the recorder's memory, per route and direction: outcome
// and re-check counts, readiness counts, latencies, mismatch signatures and
// the metric attribute sets of each, per route the noise counts and the log
// limit, and the mark. It is bounded in routes, signatures and fields, and
// safe for concurrent use. What an event means (its labels and its verdict)
// is decided by the recorder that feeds it.
package track
