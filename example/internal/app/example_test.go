package app_test

import (
	"fmt"
	"os"

	"github.com/shadowread/shadowread/example/internal/app"
)

// The banner line of a service that exports to a local Jaeger with a
// parent-based 25% sampler, as make observe runs the demo.
func ExampleTraceDestination() {
	for k, v := range map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT":        "http://127.0.0.1:4318",
		"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "",
		"OTEL_TRACES_SAMPLER":                "parentbased_traceidratio",
		"OTEL_TRACES_SAMPLER_ARG":            "0.25",
	} {
		old, had := os.LookupEnv(k)
		os.Setenv(k, v)
		defer func() {
			if had {
				os.Setenv(k, old)
			} else {
				os.Unsetenv(k)
			}
		}()
	}
	fmt.Println(app.TraceDestination("traces.jsonl", 0.01))
	// Output: OTLP/HTTP to http://127.0.0.1:4318, sampler parentbased_traceidratio 0.25
}
