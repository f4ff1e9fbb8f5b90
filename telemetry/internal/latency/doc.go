// Package latency estimates quantiles of handler times in bounded memory.
package latency
