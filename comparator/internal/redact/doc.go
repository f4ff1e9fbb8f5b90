// Package redact tells the member names of a JSON document that are data
// (session tokens, e-mail addresses, account numbers) from field names, and
// gives a data name a short hash to stand for it, so that diff paths can go
// to logs, traces and metrics.
package redact
