package exemplar

import (
	"slices"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry/report"
)

// triage judges a signature from the hints of its differences: data loss
// when any difference looks like lost information (no option should hide
// it), a representation difference when every one does, with the comparator
// options that would absorb them, and TriageNone otherwise (a person has to
// look). Nothing is absorbed automatically.
func triage(diffs []report.DiffReport) (comparator.Triage, []string) {
	if len(diffs) == 0 {
		return comparator.TriageNone, nil
	}
	var options []string
	for _, d := range diffs {
		if d.Triage == comparator.TriageDataLoss {
			return comparator.TriageDataLoss, nil
		}
	}
	for _, d := range diffs {
		if d.Triage != comparator.TriageRepresentation {
			return comparator.TriageNone, nil
		}
		if d.Option != "" && !slices.Contains(options, d.Option) {
			options = append(options, d.Option)
		}
	}
	return comparator.TriageRepresentation, options
}

// Fields lists the distinct fields of diffs, in their order.
func Fields(diffs []report.DiffReport) []string {
	out := make([]string, 0, len(diffs))
	for _, d := range diffs {
		if !slices.Contains(out, d.Field) {
			out = append(out, d.Field)
		}
	}
	return out
}
