package flags

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/open-feature/go-sdk/openfeature"

	"github.com/shadowread/shadowread/backends"
)

// ErrInvalidValue marks a flag value that was read but cannot be used, such
// as a sample percentage above 100 or an unknown backend name.
var ErrInvalidValue = errors.New("invalid value")

// FlagError is a problem with one flag, handed to otel.Handle. Err wraps
// [ErrInvalidValue] or the provider's evaluation error.
type FlagError struct {
	Key    string // flag key
	Route  string // route of the evaluation context
	Method string // method of the evaluation context
	Err    error
}

func (e *FlagError) Error() string {
	return fmt.Sprintf("flags: flag %q (route %q, method %q): %v", e.Key, e.Route, e.Method, e.Err)
}

func (e *FlagError) Unwrap() error { return e.Err }

// values are the flags of one route, reduced to what a decision needs. They
// are immutable once built.
type values struct {
	primary backends.Name
	// threshold is the number of sampled buckets out of [buckets];
	// 0 when shadowing is disabled.
	threshold uint32
	// share is the number of buckets whose primary is DynamoDB while
	// primary is PostgreSQL (the primary-percent flag); shareRead reports
	// that the flag was read once, so that its later absence is a problem.
	share     uint32
	shareRead bool
	// generation is the refresh generation the flags were read in.
	generation uint64
}

// decision is the decision for v, sampled only at 100 percent; a split
// percentage needs the request's roll on top.
// The primary is DynamoDB for everyone once the share is whole; a split
// share needs the request's roll too.
func (v *values) decision() Decision {
	primary := v.primary
	if primary == backends.Postgres && v.share >= buckets {
		primary = backends.DynamoDB
	}
	return Decision{Primary: primary, Sampled: v.threshold >= buckets}
}

// split reports whether the percentage samples some requests but not all.
func (v *values) split() bool { return v.threshold > 0 && v.threshold < buckets }

// shareSplit reports whether the primary share moves some users of a
// PostgreSQL-primary route to DynamoDB but not all.
func (v *values) shareSplit() bool {
	return v.primary == backends.Postgres && v.share > 0 && v.share < buckets
}

// evaluate reads the four flags on top of last, the route's last good
// values (nil before the first, when the fallback primary and no shadow
// stand in). A flag that cannot be read (an error, a missing flag, a
// provider not ready) keeps its last good value, so a flag outage never
// moves reads to another store; an unknown backend name or a panicking
// provider keeps the whole last decision. Each problem is reported.
func (f *Flags) evaluate(ctx context.Context, ec openfeature.EvaluationContext, route, method string, generation uint64, last *values) (v values) {
	if last != nil {
		v = *last
	} else {
		v = values{primary: f.cfg.fallback}
	}
	v.generation = generation
	kept := v
	problem := func(key string, err error) {
		f.reporter.report(generation, &FlagError{Key: key, Route: route, Method: method, Err: err})
	}
	current := f.cfg.keys.primary // the flag being read, for a panic report
	defer func() {
		if p := recover(); p != nil {
			problem(current, fmt.Errorf("provider panicked: %v; keeping primary %s", p, kept.primary))
			v = kept
		}
	}()

	// The default is the primary in force, so a provider that answers every
	// flag with its default (the SDK's no-op provider) moves nothing.
	name, err := f.client.StringValue(ctx, f.cfg.keys.primary, string(kept.primary), ec, f.probeOptions(generation)...)
	if err != nil {
		problem(f.cfg.keys.primary, fmt.Errorf("%w; keeping primary %s", err, kept.primary))
	} else if primary, err := parsePrimary(name); err == nil {
		v.primary = primary
		f.goodPrimary(routeKey{route, method})
	} else {
		// A name that is no backend says nothing about the intended
		// direction: the whole last decision stands, and before the first
		// nothing is compared. It is reported once, not per refresh.
		f.badPrimary(routeKey{route, method}, name, err, kept.primary)
		return kept
	}

	current = f.cfg.keys.primaryPercent
	v.share, v.shareRead = f.readShare(ctx, ec, kept, problem)

	current = f.cfg.keys.enabled
	enabled, err := f.client.BooleanValue(ctx, f.cfg.keys.enabled, false, ec)
	if err != nil {
		problem(f.cfg.keys.enabled, fmt.Errorf("%w; keeping the last sample percentage", err))
		return v
	}
	if !enabled {
		v.threshold = 0
		return v
	}

	current = f.cfg.keys.samplePercent
	percent, err := f.client.FloatValue(ctx, f.cfg.keys.samplePercent, 0, ec)
	if err != nil {
		problem(f.cfg.keys.samplePercent, fmt.Errorf("%w; keeping the last sample percentage", err))
		return v
	}
	v.threshold, err = thresholdOf(percent)
	if err != nil {
		problem(f.cfg.keys.samplePercent, err)
	}
	return v
}

// readShare reads the primary-percent flag. A flag that is not there is a
// share of 0 and no problem while no share is in force, so services that do
// not use the share need not define it; an unreadable flag keeps the last
// good share like the others, and a share in force that vanishes is a
// problem (it is kept).
func (f *Flags) readShare(ctx context.Context, ec openfeature.EvaluationContext, kept values, problem func(string, error)) (uint32, bool) {
	key := f.cfg.keys.primaryPercent
	details, err := f.client.FloatValueDetails(ctx, key, 0, ec)
	if err != nil {
		if details.ErrorCode == openfeature.FlagNotFoundCode && kept.share == 0 {
			return 0, kept.shareRead
		}
		problem(key, fmt.Errorf("%w; keeping the last primary share", err))
		return kept.share, kept.shareRead
	}
	share, err := thresholdOf(details.Value)
	if err != nil {
		problem(key, err)
	}
	return share, true
}

// thresholdOf turns a sample percentage into a bucket count. Values outside
// [0, 100] are clamped and NaN counts as 0, with an error that says so.
func thresholdOf(percent float64) (uint32, error) {
	switch {
	case math.IsNaN(percent):
		return 0, fmt.Errorf("%w: NaN; using 0", ErrInvalidValue)
	case percent < 0:
		return 0, fmt.Errorf("%w: %v is below 0; using 0", ErrInvalidValue, percent)
	case percent > 100:
		return buckets, fmt.Errorf("%w: %v is above 100; using 100", ErrInvalidValue, percent)
	}
	return uint32(math.Round(percent * buckets / 100)), nil
}
