package middleware

import (
	"errors"

	"go.opentelemetry.io/otel"
)

// ErrNoFlags is the problem of a Shadower built without [WithFlags]: every
// request is served by PostgreSQL alone and nothing is ever shadowed.
var ErrNoFlags = errors.New("middleware: no flags: New was given no WithFlags, so nothing is ever shadowed; " +
	`pass middleware.WithFlags(flags.New(openfeature.NewClient("my-service")))`)

// problemReporter is a decider that can say why it never samples, such as
// [flags.Flags].
type problemReporter interface{ Problem() error }

// problemSource is a recorder whose report page shows a Shadower's problem,
// such as [telemetry.OTel].
type problemSource interface{ AddProblemSource(func() error) }

// Problem returns what keeps s from shadowing any request, or nil when
// nothing does: [ErrNoFlags] without [WithFlags], else the decider's own
// Problem when it has one (see [flags.Flags.Problem]: no provider, a primary
// that names no backend). The report page of a [telemetry.OTel] given to
// [WithRecorder] shows it as a banner.
func (s *Shadower) Problem() error {
	if s.cfg.noFlags {
		return ErrNoFlags
	}
	if p, ok := s.cfg.decider.(problemReporter); ok {
		return p.Problem()
	}
	return nil
}

// reportProblems shows s's problem on the recorder's report page and says
// once through otel.Handle that a Shadower without flags cannot work. The
// decider reports its own problems (flags.Flags does, once each).
func (s *Shadower) reportProblems() {
	if p, ok := s.cfg.recorder.(problemSource); ok {
		p.AddProblemSource(s.Problem)
	}
	if s.cfg.noFlags {
		otel.Handle(ErrNoFlags)
	}
}
