package report_test

import (
	"fmt"

	"github.com/shadowread/shadowread/telemetry/report"
)

func ExampleUpperBound() {
	fmt.Printf("no samples:         %.6f\n", report.UpperBound(0, 0))
	fmt.Printf("0 of 300:           %.6f\n", report.UpperBound(0, 300))
	fmt.Printf("5 of 1000:          %.6f\n", report.UpperBound(5, 1000))
	fmt.Printf("0 of 1000000, ~3/n: %.6f\n", report.UpperBound(0, 1_000_000))
	// Output:
	// no samples:         1.000000
	// 0 of 300:           0.009936
	// 5 of 1000:          0.010484
	// 0 of 1000000, ~3/n: 0.000003
}
