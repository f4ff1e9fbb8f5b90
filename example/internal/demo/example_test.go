package demo_test

import (
	"fmt"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/example/internal/demo"
)

// The report's triage of a mismatch signature, in a few words.
func ExampleTriage() {
	fmt.Println(demo.Triage(comparator.TriageRepresentation, []string{"FloatTolerance(0, 1e-9)"}))
	fmt.Println(demo.Triage(comparator.TriageDataLoss, nil))
	fmt.Println(demo.Triage(comparator.TriageNone, nil))
	// Output:
	// representation: FloatTolerance(0, 1e-9)
	// data loss: no option should hide it
	// unclear: a person has to look
}
