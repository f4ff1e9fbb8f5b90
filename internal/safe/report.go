package safe

import (
	"fmt"

	"go.opentelemetry.io/otel"
)

// Report recovers a panic and hands it to otel.Handle as
// "<what> panicked: <value>". Defer it directly, so that recover sees the
// panic:
//
//	defer safe.Report("shadowread: recorder")
func Report(what string) {
	if p := recover(); p != nil {
		otel.Handle(fmt.Errorf("%s panicked: %v", what, p))
	}
}
