package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/shadowread/shadowread/cutover"
)

// config is the command's configuration file (JSON).
type config struct {
	// Routes are the route patterns to move, as the middleware names them.
	Routes []string `json:"routes"`
	// Prometheus is the address of the Prometheus server with the
	// readiness rules; Window the range of its latency and 5xx queries.
	Prometheus string   `json:"prometheus"`
	Window     duration `json:"window"`
	// FlagFile is flagd's flag file; FlagKey the primary-percent flag's key.
	FlagFile string `json:"flag_file"`
	FlagKey  string `json:"flag_key"`
	// PostgresURL and LeaseName are where the lease is kept; Holder names
	// this controller (default host:pid). Single, instead, declares this
	// the only controller.
	PostgresURL string   `json:"postgres_url"`
	LeaseName   string   `json:"lease_name"`
	Holder      string   `json:"holder"`
	LeaseTTL    duration `json:"lease_ttl"`
	Single      bool     `json:"single"`
	// The plan and gate limits; zero values keep cutover's defaults.
	Plan          []float64 `json:"plan"`
	Hold          duration  `json:"hold"`
	Interval      duration  `json:"interval"`
	MaxFailures   int       `json:"max_failures"`
	ReverseBound  float64   `json:"reverse_bound"`
	LatencyFactor float64   `json:"latency_factor"`
	ErrorMargin   float64   `json:"error_margin"`
	MinCount      float64   `json:"min_count"`
}

// duration is a time.Duration written as "30m" in JSON.
type duration time.Duration

func (d *duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as \"30m\": %w", err)
	}
	v, err := time.ParseDuration(s)
	*d = duration(v)
	return err
}

func loadConfig(path string) (config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return config{}, err
	}
	var c config
	dec := json.NewDecoder(bytesReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return config{}, fmt.Errorf("%s: %w", path, err)
	}
	switch {
	case len(c.Routes) == 0:
		return config{}, errors.New(`config: "routes" lists no route`)
	case c.Prometheus == "":
		return config{}, errors.New(`config: "prometheus" is the address of the Prometheus server, e.g. "http://prometheus:9090"`)
	case c.FlagFile == "":
		return config{}, errors.New(`config: "flag_file" is the path of flagd's flag file`)
	}
	return c, nil
}

// options turns the plan and limits into the controller's options.
func (c config) options() []cutover.Option {
	var opts []cutover.Option
	if len(c.Plan) > 0 {
		opts = append(opts, cutover.WithPlan(c.Plan...))
	}
	if c.Hold > 0 {
		opts = append(opts, cutover.WithHold(time.Duration(c.Hold)))
	}
	if c.Interval > 0 {
		opts = append(opts, cutover.WithInterval(time.Duration(c.Interval)))
	}
	if c.MaxFailures > 0 {
		opts = append(opts, cutover.WithMaxFailures(c.MaxFailures))
	}
	bound, factor, margin, count := or(c.ReverseBound, cutover.DefaultReverseBound), or(c.LatencyFactor, cutover.DefaultLatencyFactor),
		or(c.ErrorMargin, cutover.DefaultErrorMargin), or(c.MinCount, cutover.DefaultMinCount)
	return append(opts, cutover.WithStepGates(cutover.ReverseUnder(bound), cutover.LatencyWithin(factor, count), cutover.ErrorsWithin(margin, count)))
}

func or(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}
