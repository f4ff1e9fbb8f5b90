// Package exemplar keeps, per route and direction, what the recorder shows
// of each diff signature: its count, the differences of its first
// occurrence, the latest sampled trace ids, and its triage; at most a
// bounded number of signatures, the least seen evicted first.
package exemplar
