// Package backoff is the one back-off ladder of shadowread: a level from 0
// to [MaxLevel] at which one call in 2^level goes ahead. The throttle
// back-off (backends.Throttle) and the latency guard (middleware) each move
// a level by their own evidence and admit shadows by it.
package backoff
