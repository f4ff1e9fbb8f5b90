// Package report is the snapshot of what a shadowread recorder knows about
// its routes, and the admin pages that serve it: per route and direction,
// outcome counts, readiness for the cutover with its coverage, latencies,
// mismatch signatures with their triage, re-checks and noise.
//
// The recorder of package telemetry builds a [Report] (OTel.Report) and
// serves it with [Handler] (OTel.ReportHandler); [MarkHandler] sets the
// mark the since-mark figures start from (OTel.MarkHandler).
package report
