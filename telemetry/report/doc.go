// Package report is the snapshot of what a shadowread recorder knows about
// its routes, and the admin pages that serve it: per route and direction,
// outcome counts, readiness for the cutover with its coverage, latencies,
// mismatch signatures with their triage, re-checks and noise.
//
// The recorder of package telemetry builds a [Report] (OTel.Report) and
// serves it with [Handler] (OTel.ReportHandler); [MarkHandler] sets the
// mark the since-mark figures start from (OTel.MarkHandler).
//
// The guides: [docs/verdicts.md] for what the figures mean (coverage, the
// bound, readiness, triage, noise), [docs/operations.md] for the report
// page and where else the figures go.
//
// [docs/verdicts.md]: https://github.com/shadowread/shadowread/blob/main/docs/verdicts.md
// [docs/operations.md]: https://github.com/shadowread/shadowread/blob/main/docs/operations.md
package report
