// Package bound is the statistics of readiness: the Clopper-Pearson upper
// bound on a failure rate, and how many clean samples bring it under a
// threshold.
package bound
