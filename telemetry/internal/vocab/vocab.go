// Package vocab defines the types of telemetry's fixed vocabulary (outcomes,
// reasons, re-check results) once, so that telemetry, which names their
// values, and telemetry/report, which shows them, share one type each
// without importing each other.
package vocab

// Outcome is telemetry.Outcome.
type Outcome string

// Reason is telemetry.Reason.
type Reason string

// RecheckResult is telemetry.RecheckResult.
type RecheckResult string
