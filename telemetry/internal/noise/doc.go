// Package noise counts what a route's events say about its noise: per
// field, the A/A pairs (two reads of the primary) in which it differed and
// the comparisons with the shadow in which its differences were absorbed.
// It learns nothing itself; the middleware decides what is noise.
package noise
